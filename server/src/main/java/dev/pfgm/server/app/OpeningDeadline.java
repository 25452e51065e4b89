package dev.pfgm.server.app;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.Http2ServerConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC port's deadline for opening a connection (handshake-timeout-seconds): TLS, then the
 * HTTP/2 preface and SETTINGS, or an HTTP/1.1 request head. Without it a socket that sends nothing,
 * or stops half-way, holds a file descriptor for ever.
 *
 * <p>Vert.x has no such deadline, and before the preface is read no connection object exists to
 * time. So the deadline is the port's idle timeout, which Vert.x puts in every accepted channel's
 * pipeline, and an opened connection has that timer removed: gRPC clients keep quiet connections
 * open between calls, and a stream whose reader is slow may send nothing for a while. The removal
 * reaches into Vert.x's connection implementation (no public API gives the channel);
 * HandshakeTimeoutTest fails if a Vert.x upgrade changes it.
 */
final class OpeningDeadline {

  private OpeningDeadline() {}

  static HttpServerOptions apply(HttpServerOptions options, int seconds) {
    return options
        .setIdleTimeout(seconds)
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setSslHandshakeTimeout(seconds)
        .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
  }

  /** For the port's connection handler: an HTTP/2 connection is open once SETTINGS arrived. */
  static void connected(HttpConnection connection) {
    if (connection instanceof Http2ServerConnection) {
      opened(connection);
    }
  }

  /** For the port's request handler: an HTTP/1.x connection is open once a request head arrived. */
  static void requested(HttpServerRequest request) {
    if (request.version() != HttpVersion.HTTP_2) {
      opened(request.connection());
    }
  }

  private static void opened(HttpConnection connection) {
    if (connection instanceof HttpServerConnection c) {
      ChannelPipeline pipeline = c.channelHandlerContext().pipeline();
      if (pipeline.get(IdleStateHandler.class) != null) {
        pipeline.remove(IdleStateHandler.class);
      }
    }
  }
}
