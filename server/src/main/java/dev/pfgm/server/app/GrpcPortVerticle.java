package dev.pfgm.server.app;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One instance of the gRPC port, on an event loop of its own. Deployed several times on the same
 * host and port, the instances share the listening socket and Vert.x hands each new connection to
 * the next one: streams, their frames and their PNG encoding spread over the event loops.
 */
final class GrpcPortVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(GrpcPortVerticle.class.getName());

  private final HttpServerOptions options;
  private final Handler<HttpServerRequest> handler;
  private final AtomicInteger connections;
  private HttpServer server;

  /**
   * @param connections counts the open connections of every instance
   */
  GrpcPortVerticle(
      HttpServerOptions options, Handler<HttpServerRequest> handler, AtomicInteger connections) {
    this.options = options;
    this.handler = handler;
    this.connections = connections;
  }

  @Override
  public Future<?> start() {
    PeerErrorLog.install();
    return vertx
        .createHttpServer(options)
        .requestHandler(
            req -> {
              OpeningDeadline.requested(req);
              handler.handle(req);
            })
        // A client's broken connection (no SETTINGS first, a bad frame, a failed TLS handshake, a
        // reset mid-body) is the client's doing: its streams already end with a status. Without a
        // handler Vert.x logs each at SEVERE.
        .exceptionHandler(e -> LOG.log(Level.FINE, "client connection error: " + e, e))
        .connectionHandler(
            c -> {
              OpeningDeadline.connected(c);
              connections.incrementAndGet();
              c.closeHandler(v -> connections.decrementAndGet());
            })
        .listen()
        .onSuccess(s -> server = s);
  }

  /** Stops accepting and lets open HTTP/2 connections end with GOAWAY (within the timeout). */
  Future<Void> shutdown(long seconds) {
    return server == null
        ? Future.succeededFuture()
        : server.shutdown(seconds, java.util.concurrent.TimeUnit.SECONDS);
  }

  int actualPort() {
    return server.actualPort();
  }
}
