package dev.pfgm.server.transport;

import io.vertx.grpc.common.GrpcStatus;

/**
 * Hooks for metrics on Generate streams, called on the stream's event loop; implementations must be
 * cheap and must not block. Every method defaults to doing nothing.
 */
public interface GenerateObserver {

  GenerateObserver NONE = new GenerateObserver() {};

  /** Marks a timing that a stream never reached. */
  long NONE_NANOS = -1;

  /**
   * How one Generate stream ended.
   *
   * @param model the served model the request resolved to, or "" when it resolved to none (rejected
   *     before validation, unknown model, invalid request)
   * @param status the status the client got; CANCELLED when the client went away
   * @param durationNanos from the request's arrival to its end
   * @param firstStepNanos from the request's arrival to its first Step event handed to the stream,
   *     or {@link #NONE_NANOS} when it had none (no previews asked, or it ended first)
   * @param queueNanos from the job's submission to its first network call (Completed's queue_ms),
   *     or {@link #NONE_NANOS} when the stream did not complete
   * @param skippedSteps Step events dropped because the client read slowly
   */
  record StreamEnd(
      String model,
      GrpcStatus status,
      long durationNanos,
      long firstStepNanos,
      long queueNanos,
      int skippedSteps) {}

  /** A Generate stream ended, once per stream, whatever its status. */
  default void streamEnded(StreamEnd stream) {}

  /** A call was refused by {@link BearerAuth} (UNAUTHENTICATED or PERMISSION_DENIED). */
  default void callRejected(GrpcStatus status) {}
}
