package dev.pfgm.server.transport;

import io.vertx.grpc.common.GrpcStatus;

/**
 * Hooks for metrics on Generate streams, called on the stream's event loop; implementations must
 * be cheap and must not block. Every method defaults to doing nothing.
 */
public interface GenerateObserver {

  GenerateObserver NONE = new GenerateObserver() {};

  /**
   * A Generate stream ended, once per stream.
   *
   * @param model            the served model the request resolved to, or "" when it resolved to
   *                         none (rejected before validation, unknown model, invalid request)
   * @param status           the status the client got; CANCELLED when the client went away
   * @param durationNanos    from the request's arrival to its end
   * @param skippedPreviews  Step events dropped because the client read slowly
   */
  default void streamEnded(String model, GrpcStatus status, long durationNanos, int skippedPreviews) {}

  /** A call was refused by {@link BearerAuth} (UNAUTHENTICATED or PERMISSION_DENIED). */
  default void callRejected(GrpcStatus status) {}
}
