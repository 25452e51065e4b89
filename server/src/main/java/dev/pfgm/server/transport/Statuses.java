package dev.pfgm.server.transport;

import dev.pfgm.server.engine.CapacityExceeded;
import dev.pfgm.server.engine.DeadlineExpired;
import dev.pfgm.server.engine.EnginesGone;
import dev.pfgm.server.engine.NetworkFailure;
import dev.pfgm.server.engine.ServingFailure;
import dev.pfgm.server.engine.SolveLimitReached;
import io.vertx.grpc.common.GrpcStatus;
import java.util.Map;

/** The one table from domain exceptions to gRPC statuses. Nothing reaches a client as UNKNOWN. */
public final class Statuses {

  static final Map<Class<? extends RuntimeException>, GrpcStatus> TABLE =
      Map.ofEntries(
          Map.entry(InvalidArgument.class, GrpcStatus.INVALID_ARGUMENT),
          Map.entry(ModelNotFound.class, GrpcStatus.NOT_FOUND),
          Map.entry(CapacityExceeded.class, GrpcStatus.RESOURCE_EXHAUSTED),
          Map.entry(RequestTooLarge.class, GrpcStatus.RESOURCE_EXHAUSTED),
          Map.entry(DeadlineExpired.class, GrpcStatus.DEADLINE_EXCEEDED),
          Map.entry(SolveLimitReached.class, GrpcStatus.OUT_OF_RANGE),
          Map.entry(Unavailable.class, GrpcStatus.UNAVAILABLE),
          Map.entry(Unimplemented.class, GrpcStatus.UNIMPLEMENTED),
          Map.entry(NetworkFailure.class, GrpcStatus.INTERNAL),
          Map.entry(ServingFailure.class, GrpcStatus.INTERNAL),
          Map.entry(EnginesGone.class, GrpcStatus.UNAVAILABLE));

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
