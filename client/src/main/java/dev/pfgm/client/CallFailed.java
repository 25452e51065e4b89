package dev.pfgm.client;

import io.vertx.grpc.common.GrpcStatus;

/** A call ended without its result: the gRPC status and a message (the server's, or the client's). */
public final class CallFailed extends RuntimeException {

  private final GrpcStatus status;

  public CallFailed(GrpcStatus status, String message) {
    super(status + (message == null || message.isEmpty() ? "" : ": " + message));
    this.status = status;
  }

  public CallFailed(GrpcStatus status, String message, Throwable cause) {
    this(status, message);
    initCause(cause);
  }

  public GrpcStatus status() {
    return status;
  }
}
