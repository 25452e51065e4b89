package dev.pfgm.client;

import io.netty.handler.codec.http2.Http2Exception;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.grpc.common.GrpcStatus;

/**
 * Says what a failure before any response most likely means. A plaintext client that reaches a TLS
 * port sends its HTTP/2 preface as cleartext; the server's TLS layer cannot read it and closes the
 * connection (or answers bytes that are no HTTP/2 frame): the call fails as "Connection was closed"
 * or an HTTP/2 protocol error, which says nothing about TLS.
 */
final class ConnectionHints {

  static final String TLS_HINT = "the server speaks TLS? try --tls";

  /** Vert.x's message for a connection closed under an open request (io.vertx.core internals). */
  private static final String CLOSED = "Connection was closed";

  private final boolean tls;

  ConnectionHints(boolean tls) {
    this.tls = tls;
  }

  /**
   * {@code failure} as it came, or with the TLS hint when it is the typical plaintext-to-TLS one.
   */
  CallFailed beforeResponse(CallFailed failure) {
    if (tls
        || failure.status() != GrpcStatus.UNAVAILABLE
        || !closedDuringPreface(failure.getCause())) {
      return failure;
    }
    return new CallFailed(
        GrpcStatus.UNAVAILABLE,
        failure.statusMessage() + " before the server answered: " + TLS_HINT,
        failure.getCause());
  }

  private static boolean closedDuringPreface(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof HttpClosedException
          || c instanceof Http2Exception
          || (c instanceof VertxException && CLOSED.equals(c.getMessage()))) {
        return true;
      }
    }
    return false;
  }
}
