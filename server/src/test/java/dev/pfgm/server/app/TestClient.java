package dev.pfgm.server.app;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.proto.v1.GeneratorGrpcClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A Vert.x gRPC client for the app tests: whole Generate streams with metadata, and health checks. */
final class TestClient implements AutoCloseable {

  static final Path MODELS = Path.of(System.getProperty("pfgm.models.dir", "../models"));
  static final String MODEL = "mnist-exact-d128";

  private static final ServiceMethod<HealthCheckResponse, HealthCheckRequest> HEALTH_CHECK = ServiceMethod.client(
      ServiceName.create("grpc.health.v1", "Health"), "Check",
      GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(HealthCheckResponse.newBuilder()));

  /** How a stream ended, and what it carried. */
  record Result(GrpcStatus status, String message, List<GenerateResponse> events) {
    boolean completed() {
      return !events.isEmpty() && events.get(events.size() - 1).hasCompleted();
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final GrpcClient client;
  private final SocketAddress server;
  private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();

  TestClient(int port) {
    this(port, new HttpClientOptions().setHttp2ClearTextUpgrade(false));
  }

  TestClient(int port, HttpClientOptions http) {
    client = GrpcClient.client(vertx, new GrpcClientOptions().setMaxMessageSize(64 << 20), http);
    server = SocketAddress.inetSocketAddress(port, "localhost");
  }

  static GenerateRequest request(int samples, int steps) {
    return GenerateRequest.newBuilder().setModel(MODEL).setNumSamples(samples).setSteps(steps).setSeed(7).build();
  }

  CompletableFuture<Result> generate(GenerateRequest request) {
    return generate(request, Map.of(), e -> { });
  }

  /** Runs one Generate stream; onEvent sees each event as it arrives (on a client thread). */
  CompletableFuture<Result> generate(GenerateRequest request, Map<String, String> metadata,
      Consumer<GenerateResponse> onEvent) {
    CompletableFuture<Result> done = new CompletableFuture<>();
    List<GenerateResponse> events = Collections.synchronizedList(new ArrayList<>());
    client.request(server, GeneratorGrpcClient.Generate).onSuccess(req -> {
      connections.add(req.connection());
      metadata.forEach(req.headers()::set);
      req.end(request);
      req.response().onSuccess(resp -> {
        resp.handler(e -> {
          events.add(e);
          onEvent.accept(e);
        });
        resp.exceptionHandler(done::completeExceptionally);
        resp.endHandler(v -> done.complete(new Result(resp.status(), message(resp), List.copyOf(events))));
      }).onFailure(done::completeExceptionally);
    }).onFailure(done::completeExceptionally);
    return done;
  }

  /** Starts a Generate stream and cancels it (RST_STREAM) at its first event, mid-flight. */
  CompletableFuture<Void> cancelAtFirstEvent(GenerateRequest request) {
    CompletableFuture<Void> cancelled = new CompletableFuture<>();
    client.request(server, GeneratorGrpcClient.Generate).onSuccess(req -> {
      connections.add(req.connection());
      req.end(request);
      req.response().onSuccess(resp -> resp.handler(e -> {
        if (!cancelled.isDone()) {
          req.cancel();
          cancelled.complete(null);
        }
      })).onFailure(cancelled::completeExceptionally);
    }).onFailure(cancelled::completeExceptionally);
    return cancelled;
  }

  /** How many HTTP/2 connections this client's streams have used. */
  int connectionsUsed() {
    return connections.size();
  }

  /** The status message; Vert.x's client reads it only from a trailers-only response. */
  private static String message(GrpcClientResponse<?, ?> resp) {
    if (resp.statusMessage() != null) {
      return resp.statusMessage();
    }
    String m = resp.trailers().get("grpc-message");
    return m == null ? null : QueryStringDecoder.decodeComponent(m, StandardCharsets.UTF_8);
  }

  /** The serving status of a health service name ("" for the whole server). */
  HealthCheckResponse.ServingStatus health(String service) throws Exception {
    return client.request(server, HEALTH_CHECK)
        .compose(req -> req.send(HealthCheckRequest.newBuilder().setService(service).build()))
        .compose(resp -> resp.last())
        .map(HealthCheckResponse::getStatus)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
