package dev.pfgm.server.transport;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * What every HTTP request passes before the gRPC server: a request that declares no grpc-encoding
 * is marked, so that a message with the compressed flag set gets INVALID_ARGUMENT instead of an
 * exception inside Vert.x's deframer that leaves the stream unanswered.
 */
public final class HttpFront implements Handler<HttpServerRequest> {

  private final Handler<HttpServerRequest> next;

  public HttpFront(Handler<HttpServerRequest> next) {
    this.next = next;
  }

  @Override
  public void handle(HttpServerRequest request) {
    RequestMessages.markEncoding(request);
    next.handle(request);
  }
}
