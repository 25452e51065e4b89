package dev.pfgm.server.transport;

import dev.pfgm.server.engine.CapacityExceeded;
import dev.pfgm.server.engine.DeadlineExpired;
import dev.pfgm.server.engine.NetworkFailure;
import io.vertx.grpc.common.GrpcStatus;

/** The one table from domain exceptions to gRPC statuses. Nothing reaches a client as UNKNOWN. */
public final class Statuses {

  private Statuses() {}

  public static GrpcStatus of(Throwable error) {
    if (error instanceof InvalidArgument) {
      return GrpcStatus.INVALID_ARGUMENT;
    } else if (error instanceof ModelNotFound) {
      return GrpcStatus.NOT_FOUND;
    } else if (error instanceof CapacityExceeded) {
      return GrpcStatus.RESOURCE_EXHAUSTED;
    } else if (error instanceof DeadlineExpired) {
      return GrpcStatus.DEADLINE_EXCEEDED;
    } else if (error instanceof Unavailable) {
      return GrpcStatus.UNAVAILABLE;
    } else if (error instanceof NetworkFailure) {
      return GrpcStatus.INTERNAL;
    }
    return GrpcStatus.INTERNAL;
  }

  /** The status message: the domain message, or the type for unexpected errors. */
  public static String message(Throwable error) {
    String m = error.getMessage();
    if (of(error) == GrpcStatus.INTERNAL && !(error instanceof NetworkFailure)) {
      return "internal error: " + error.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
    return m == null ? error.getClass().getSimpleName() : m;
  }
}
