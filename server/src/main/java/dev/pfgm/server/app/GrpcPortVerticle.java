package dev.pfgm.server.app;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One instance of the gRPC port, on an event loop of its own. Deployed several times on the same
 * host and port, the instances share the listening socket and Vert.x hands each new connection to
 * the next one: streams, their frames and their PNG encoding spread over the event loops.
 */
final class GrpcPortVerticle extends VerticleBase {

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
    return vertx
        .createHttpServer(options)
        .requestHandler(handler)
        .connectionHandler(
            c -> {
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
