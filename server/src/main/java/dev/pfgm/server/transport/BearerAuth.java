package dev.pfgm.server.transport;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;

/**
 * Bearer-token check in front of the gRPC server, before any call is dispatched: a call without
 * {@code authorization: Bearer <token>} gets UNAUTHENTICATED, one with a token not in the set gets
 * PERMISSION_DENIED, both as a trailers-only response. Health checks stay open so that load
 * balancers and orchestrators need no token.
 */
public final class BearerAuth implements Handler<HttpServerRequest> {

  /** Paths served without a token. */
  static final String OPEN_PREFIX = "/grpc.health.v1.Health/";

  private final List<byte[]> tokens;
  private final Handler<HttpServerRequest> next;
  private final GenerateObserver observer;

  /**
   * @param tokens accepted tokens; must not be empty
   * @param next the gRPC server
   * @param observer told of every refusal
   */
  public BearerAuth(
      Set<String> tokens, Handler<HttpServerRequest> next, GenerateObserver observer) {
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("BearerAuth needs at least one token");
    }
    this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    this.next = next;
    this.observer = observer;
  }

  @Override
  public void handle(HttpServerRequest request) {
    if (request.path().startsWith(OPEN_PREFIX)) {
      next.handle(request);
      return;
    }
    String header = request.getHeader("authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() == 7) {
      refuse(
          request,
          GrpcStatus.UNAUTHENTICATED,
          "missing credentials: send metadata 'authorization: Bearer <token>'");
    } else if (!known(header.substring(7).trim())) {
      refuse(request, GrpcStatus.PERMISSION_DENIED, "bearer token not accepted");
    } else {
      next.handle(request);
    }
  }

  /** Compares against every token in constant time per token, so timing tells nothing. */
  private boolean known(String token) {
    byte[] t = token.getBytes(StandardCharsets.UTF_8);
    boolean found = false;
    for (byte[] k : tokens) {
      found |= MessageDigest.isEqual(k, t);
    }
    return found;
  }

  private void refuse(HttpServerRequest request, GrpcStatus status, String message) {
    observer.callRejected(status);
    String contentType = request.getHeader("content-type");
    HttpServerResponse response =
        request
            .response()
            .setStatusCode(200)
            .putHeader(
                "content-type",
                contentType != null && contentType.startsWith("application/grpc")
                    ? contentType
                    : "application/grpc")
            .putHeader("grpc-status", status.toString())
            .putHeader("grpc-message", message);
    response.end();
  }
}
