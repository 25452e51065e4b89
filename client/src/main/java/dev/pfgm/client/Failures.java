package dev.pfgm.client;

import io.vertx.core.http.StreamResetException;
import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.grpc.common.GrpcErrorException;
import io.vertx.grpc.common.GrpcStatus;

/** The gRPC status a failure of a call stands for. */
final class Failures {

  private Failures() {}

  /** The status a transport failure stands for. */
  static CallFailed of(Throwable t) {
    if (t instanceof CallFailed f) {
      return f;
    }
    if (t instanceof GrpcErrorException g) {
      return new CallFailed(g.status(), g.getMessage(), t);
    }
    if (t instanceof InvalidStatusException s) {
      return new CallFailed(s.actualStatus(), s.getMessage(), t);
    }
    if (t instanceof StreamResetException r) {
      return new CallFailed(
          GrpcStatus.CANCELLED, "stream reset (HTTP/2 error " + r.getCode() + ")", t);
    }
    return new CallFailed(GrpcStatus.UNAVAILABLE, String.valueOf(t.getMessage()), t);
  }

  /**
   * A CANCELLED that ends a call whose deadline has passed, and that the caller did not ask for, is
   * the deadline: our own cancel's reset, or a server or proxy that resets the stream when the
   * grpc-timeout passes, must not read as CANCELLED whichever reaches the call first (grpc-java's
   * ClientCall follows the same rule).
   */
  static CallFailed afterDeadline(
      CallFailed failure, boolean deadlinePassed, boolean cancelledByCaller) {
    if (failure.status() != GrpcStatus.CANCELLED || !deadlinePassed || cancelledByCaller) {
      return failure;
    }
    return new CallFailed(
        GrpcStatus.DEADLINE_EXCEEDED, "the deadline passed; then " + failure.getMessage(), failure);
  }
}
