package dev.pfgm.server.it;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.proto.v1.GeneratorGrpcClient;
import dev.pfgm.proto.v1.ListModelsRequest;
import dev.pfgm.proto.v1.ListModelsResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A Vert.x gRPC client that collects a whole Generate stream: its events and its final status. */
final class GrpcTestClient implements AutoCloseable {

  /** A finished stream. */
  record Result(List<GenerateResponse> events, GrpcStatus status, String message) {
    GenerateResponse last() {
      return events.get(events.size() - 1);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final GrpcClient client;
  private final SocketAddress address;

  GrpcTestClient(int port) {
    client = GrpcClient.client(vertx, new GrpcClientOptions().setMaxMessageSize(64 * 1024 * 1024));
    address = SocketAddress.inetSocketAddress(port, "localhost");
  }

  Result generate(GenerateRequest request) {
    return await(start(request, 0, r -> {}), 120);
  }

  Future<Result> start(GenerateRequest request, long timeoutMs,
      Consumer<GrpcClientRequest<GenerateRequest, GenerateResponse>> onRequest) {
    return start(request, timeoutMs, onRequest, (req, resp, ev) -> {});
  }

  /** Sees each event as it arrives, with the request (to cancel) and the response (to pause). */
  interface EventHook {
    void accept(GrpcClientRequest<GenerateRequest, GenerateResponse> request,
        GrpcClientResponse<GenerateRequest, GenerateResponse> response, GenerateResponse event);
  }

  /**
   * Starts a stream; onRequest sees the client request once sent, onEvent every event.
   * timeoutMs &gt; 0 sends a grpc-timeout.
   */
  Future<Result> start(GenerateRequest request, long timeoutMs,
      Consumer<GrpcClientRequest<GenerateRequest, GenerateResponse>> onRequest, EventHook onEvent) {
    Promise<Result> done = Promise.promise();
    List<GenerateResponse> events = new ArrayList<>();
    client.request(address, GeneratorGrpcClient.Generate).onSuccess(req -> {
      if (timeoutMs > 0) {
        req.timeout(timeoutMs, TimeUnit.MILLISECONDS);
      }
      req.end(request);
      onRequest.accept(req);
      req.response().onSuccess(resp -> {
        resp.handler(ev -> {
          events.add(ev);
          onEvent.accept(req, resp, ev);
        });
        resp.endHandler(v -> done.tryComplete(new Result(List.copyOf(events), resp.status(), resp.statusMessage())));
        resp.exceptionHandler(e -> done.tryComplete(new Result(List.copyOf(events), resp.status(), String.valueOf(e))));
      }).onFailure(done::tryFail);
    }).onFailure(done::tryFail);
    return done.future();
  }

  Future<ListModelsResponse> listModels() {
    return GeneratorGrpcClient.create(client, address).listModels(ListModelsRequest.getDefaultInstance());
  }

  static <T> T await(Future<T> f, long seconds) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("stream did not finish: " + e, e);
    }
  }

  @Override
  public void close() {
    await(vertx.close(), 10);
  }
}
