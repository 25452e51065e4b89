package dev.pfgm.client;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GeneratorGrpcClient;
import dev.pfgm.proto.v1.ListModelsRequest;
import dev.pfgm.proto.v1.ListModelsResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;

/**
 * A client of the pfgm.v1.Generator service over the Vert.x gRPC client and the generated service
 * methods. Thread-safe; handlers run on a Vert.x event loop, so they must not block.
 */
public final class GeneratorClient implements AutoCloseable {

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final GrpcClient grpc;
  private final SocketAddress server;
  private final ClientOptions options;
  private final ConnectionHints hints;

  private GeneratorClient(Vertx vertx, boolean ownsVertx, ClientOptions options) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.options = options;
    this.hints = new ConnectionHints(options.tls());
    this.server = SocketAddress.inetSocketAddress(options.port(), options.host());
    // The deadline is ours (Generation), so that it reads DEADLINE_EXCEEDED and not CANCELLED.
    GrpcClientOptions grpcOptions =
        new GrpcClientOptions()
            .setMaxMessageSize(options.maxMessageBytes())
            .setScheduleDeadlineAutomatically(false);
    this.grpc = GrpcClient.client(vertx, grpcOptions, http(options));
  }

  /** A client with its own Vert.x instance, closed with the client. */
  public static GeneratorClient create(ClientOptions options) {
    return new GeneratorClient(Vertx.vertx(), true, options);
  }

  /** A client on a caller's Vert.x instance, which the client leaves open. */
  public static GeneratorClient create(Vertx vertx, ClientOptions options) {
    return new GeneratorClient(vertx, false, options);
  }

  static HttpClientOptions http(ClientOptions options) {
    HttpClientOptions http = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2);
    if (options.tls()) {
      http.setSsl(true).setUseAlpn(true);
      options
          .caCert()
          .ifPresent(ca -> http.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
    } else {
      // Plain-text HTTP/2 with prior knowledge, as gRPC clients speak it.
      http.setHttp2ClearTextUpgrade(false);
    }
    return http;
  }

  /**
   * The models the server serves. Fails with {@link CallFailed} (the server's status and message).
   */
  public Future<ListModelsResponse> listModels() {
    return grpc.request(server, GeneratorGrpcClient.ListModels)
        .recover(e -> Future.failedFuture(hints.beforeResponse(Failures.of(e))))
        .compose(
            req -> {
              authorize(req);
              return req.send(ListModelsRequest.getDefaultInstance())
                  .recover(e -> Future.failedFuture(hints.beforeResponse(Failures.of(e))))
                  .compose(
                      resp ->
                          resp.last()
                              .recover(
                                  e ->
                                      Future.failedFuture(
                                          resp.status() != null && resp.status() != GrpcStatus.OK
                                              ? new CallFailed(
                                                  resp.status(), StatusMessages.of(resp), e)
                                              : Failures.of(e))));
            });
  }

  /**
   * Starts a generation. Events reach {@code events} in order on an event loop; the result
   * completes with Completed or fails with {@link CallFailed} (the server's status,
   * DEADLINE_EXCEEDED when {@code deadline} passes first, CANCELLED after {@link
   * Generation#cancel()}, UNAVAILABLE when the server cannot be reached).
   *
   * @param deadline the whole call's deadline (also sent as grpc-timeout); null for none
   */
  public Generation generate(
      GenerateRequest request, Duration deadline, Handler<GenerationEvent> events) {
    Generation generation = new Generation(vertx, deadline, events, hints::beforeResponse);
    // One context for the call: its deadline timer, its request and its callbacks.
    Context context = vertx.getOrCreateContext();
    generation.start(context);
    context.runOnContext(
        v ->
            grpc.request(server, GeneratorGrpcClient.Generate)
                .onComplete(
                    ar -> {
                      if (ar.failed()) {
                        generation.fail(ar.cause());
                        return;
                      }
                      GrpcClientRequest<GenerateRequest, ?> req = ar.result();
                      authorize(req);
                      generation.send(ar.result(), request);
                    }));
    return generation;
  }

  private void authorize(GrpcClientRequest<?, ?> req) {
    options.token().ifPresent(t -> req.headers().set("authorization", "Bearer " + t));
  }

  public ClientOptions options() {
    return options;
  }

  /** Closes the connections (which cancels open streams) and the own Vert.x instance. */
  @Override
  public void close() {
    Future<Void> closed = grpc.close();
    if (ownsVertx) {
      closed = closed.eventually(() -> vertx.close());
    }
    try {
      closed.toCompletionStage().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // Closing is best effort: the connection may already be gone.
    }
  }
}
