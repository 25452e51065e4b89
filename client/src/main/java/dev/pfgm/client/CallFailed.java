package dev.pfgm.client;

import io.vertx.grpc.common.GrpcStatus;

/**
 * A call ended without its result: the gRPC status and a message (the server's, or the client's).
 * The exception's message reads {@code NOT_FOUND: model 'x' not found}: the status by name, never
 * by number.
 */
public final class CallFailed extends RuntimeException {

  private final GrpcStatus status;
  private final String statusMessage;

  public CallFailed(GrpcStatus status, String message) {
    super(status.name() + (message == null || message.isEmpty() ? "" : ": " + message));
    this.status = status;
    this.statusMessage = message == null ? "" : message;
  }

  public CallFailed(GrpcStatus status, String message, Throwable cause) {
    this(status, message);
    initCause(cause);
  }

  public GrpcStatus status() {
    return status;
  }

  /** The message alone, without the status; empty when the server sent none. */
  public String statusMessage() {
    return statusMessage;
  }
}
