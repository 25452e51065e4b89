package dev.pfgm.server.transport;

import dev.pfgm.server.engine.CapacityExceeded;
import dev.pfgm.server.engine.DeadlineExpired;
import dev.pfgm.server.engine.NetworkFailure;
import dev.pfgm.server.engine.ServingFailure;
import dev.pfgm.server.engine.SolveLimitReached;
import io.vertx.grpc.common.GrpcStatus;
import java.util.Map;

/** The one table from domain exceptions to gRPC statuses. Nothing reaches a client as UNKNOWN. */
public final class Statuses {

  static final Map<Class<? extends RuntimeException>, GrpcStatus> TABLE =
      Map.of(
          InvalidArgument.class, GrpcStatus.INVALID_ARGUMENT,
          ModelNotFound.class, GrpcStatus.NOT_FOUND,
          CapacityExceeded.class, GrpcStatus.RESOURCE_EXHAUSTED,
          RequestTooLarge.class, GrpcStatus.RESOURCE_EXHAUSTED,
          DeadlineExpired.class, GrpcStatus.DEADLINE_EXCEEDED,
          SolveLimitReached.class, GrpcStatus.OUT_OF_RANGE,
          Unavailable.class, GrpcStatus.UNAVAILABLE,
          Unimplemented.class, GrpcStatus.UNIMPLEMENTED,
          NetworkFailure.class, GrpcStatus.INTERNAL,
          ServingFailure.class, GrpcStatus.INTERNAL);

  private Statuses() {}

  /** The row's status; INTERNAL for anything unexpected. */
  public static GrpcStatus of(Throwable error) {
    return TABLE.getOrDefault(error.getClass(), GrpcStatus.INTERNAL);
  }

  /** The status message: the domain message, or the type for unexpected errors; never unbounded. */
  public static String message(Throwable error) {
    String m = error.getMessage();
    String text =
        !TABLE.containsKey(error.getClass())
            ? "internal error: " + error.getClass().getSimpleName() + (m == null ? "" : ": " + m)
            : m == null ? error.getClass().getSimpleName() : m;
    return Text.clip(text, Text.MAX_STATUS_MESSAGE);
  }
}
