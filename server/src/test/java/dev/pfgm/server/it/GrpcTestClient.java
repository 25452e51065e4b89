package dev.pfgm.server.it;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.proto.v1.GeneratorGrpcClient;
import dev.pfgm.proto.v1.ListModelsRequest;
import dev.pfgm.proto.v1.ListModelsResponse;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The server tests' one gRPC client (Vert.x): whole Generate streams with their events and final
 * status, metadata, deadlines, cancels, health checks and ListModels. Used by the it and app tests.
 */
public final class GrpcTestClient implements AutoCloseable {

  /** The model most tests generate with: the exact field, fast and deterministic. */
  public static final String MODEL = "mnist-exact-d128";

  private static final ServiceMethod<HealthCheckResponse, HealthCheckRequest> HEALTH_CHECK =
      ServiceMethod.client(
          ServiceName.create("grpc.health.v1", "Health"),
          "Check",
          GrpcMessageEncoder.encoder(),
          GrpcMessageDecoder.decoder(HealthCheckResponse.newBuilder()));

  /** A finished stream: its events, its status and status message. */
  public record Result(List<GenerateResponse> events, GrpcStatus status, String message) {
    public GenerateResponse last() {
      return events.get(events.size() - 1);
    }

    /** Whether the stream ended with its Completed event. */
    public boolean completed() {
      return !events.isEmpty() && last().hasCompleted();
    }
  }

  /** Sees each event as it arrives, with the request (to cancel) and the response (to pause). */
  public interface EventHook {
    void accept(
        GrpcClientRequest<GenerateRequest, GenerateResponse> request,
        GrpcClientResponse<GenerateRequest, GenerateResponse> response,
        GenerateResponse event);
  }

  private final Vertx vertx = Vertx.vertx();
  private final GrpcClient client;
  private final SocketAddress address;
  private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();

  public GrpcTestClient(int port) {
    this(port, new HttpClientOptions().setHttp2ClearTextUpgrade(false));
  }

  /** With HTTP options of its own: TLS, client certificates. */
  public GrpcTestClient(int port, HttpClientOptions http) {
    client = GrpcClient.client(vertx, new GrpcClientOptions().setMaxMessageSize(64 << 20), http);
    address = SocketAddress.inetSocketAddress(port, "localhost");
  }

  /** A request for the default model with seed 7. */
  public static GenerateRequest request(int samples, int steps) {
    return GenerateRequest.newBuilder()
        .setModel(MODEL)
        .setNumSamples(samples)
        .setSteps(steps)
        .setSeed(7)
        .build();
  }

  /** Runs a stream to its end (at most 120 s). */
  public Result generate(GenerateRequest request) {
    return await(start(request), 120);
  }

  public Future<Result> start(GenerateRequest request) {
    return start(request, Map.of(), 0, r -> {}, (req, resp, ev) -> {});
  }

  /** Sends metadata (headers); onEvent sees each event as it arrives (on a client event loop). */
  public Future<Result> start(
      GenerateRequest request, Map<String, String> metadata, Consumer<GenerateResponse> onEvent) {
    return start(request, metadata, 0, r -> {}, (req, resp, ev) -> onEvent.accept(ev));
  }

  public Future<Result> start(
      GenerateRequest request,
      long timeoutMs,
      Consumer<GrpcClientRequest<GenerateRequest, GenerateResponse>> onRequest) {
    return start(request, Map.of(), timeoutMs, onRequest, (req, resp, ev) -> {});
  }

  public Future<Result> start(
      GenerateRequest request,
      long timeoutMs,
      Consumer<GrpcClientRequest<GenerateRequest, GenerateResponse>> onRequest,
      EventHook onEvent) {
    return start(request, Map.of(), timeoutMs, onRequest, onEvent);
  }

  /**
   * Starts a stream; onRequest sees the client request once sent, onEvent every event. timeoutMs
   * &gt; 0 sends a grpc-timeout. The future fails only when no response came at all (refused
   * connection, TLS failure); a stream that breaks later ends with the events so far.
   */
  public Future<Result> start(
      GenerateRequest request,
      Map<String, String> metadata,
      long timeoutMs,
      Consumer<GrpcClientRequest<GenerateRequest, GenerateResponse>> onRequest,
      EventHook onEvent) {
    Promise<Result> done = Promise.promise();
    List<GenerateResponse> events = new ArrayList<>();
    client
        .request(address, GeneratorGrpcClient.Generate)
        .onSuccess(
            req -> {
              connections.add(req.connection());
              metadata.forEach(req.headers()::set);
              if (timeoutMs > 0) {
                req.timeout(timeoutMs, TimeUnit.MILLISECONDS);
              }
              // Handlers first: events that arrive before them would be lost (see
              // RawGrpc#exchange).
              req.response()
                  .onSuccess(
                      resp -> {
                        resp.handler(
                            ev -> {
                              events.add(ev);
                              onEvent.accept(req, resp, ev);
                            });
                        resp.endHandler(
                            v ->
                                done.tryComplete(
                                    new Result(List.copyOf(events), resp.status(), message(resp))));
                        resp.exceptionHandler(
                            e ->
                                done.tryComplete(
                                    new Result(
                                        List.copyOf(events), resp.status(), String.valueOf(e))));
                      })
                  .onFailure(done::tryFail);
              req.end(request);
              onRequest.accept(req);
            })
        .onFailure(done::tryFail);
    return done.future();
  }

  /** Starts a stream and cancels it (RST_STREAM) at its first event, mid-flight. */
  public Future<Void> cancelAtFirstEvent(GenerateRequest request) {
    Promise<Void> cancelled = Promise.promise();
    start(
            request,
            Map.of(),
            0,
            r -> {},
            (req, resp, ev) -> {
              if (cancelled.tryComplete()) {
                req.cancel();
              }
            })
        .onFailure(cancelled::tryFail);
    return cancelled.future();
  }

  /** How many HTTP/2 connections this client's streams have used. */
  public int connectionsUsed() {
    return connections.size();
  }

  /** The serving status of a health service name ("" for the whole server). */
  public Future<ServingStatus> health(String service) {
    return client
        .request(address, HEALTH_CHECK)
        .compose(
            req -> {
              Future<HealthCheckResponse> last = req.response().compose(GrpcClientResponse::last);
              req.end(HealthCheckRequest.newBuilder().setService(service).build());
              return last;
            })
        .map(HealthCheckResponse::getStatus);
  }

  public Future<ListModelsResponse> listModels() {
    return GeneratorGrpcClient.create(client, address)
        .listModels(ListModelsRequest.getDefaultInstance());
  }

  /** The status message; Vert.x's client reads it only from a trailers-only response. */
  private static String message(GrpcClientResponse<?, ?> resp) {
    if (resp.statusMessage() != null) {
      return resp.statusMessage();
    }
    String m = resp.trailers().get("grpc-message");
    return m == null ? null : QueryStringDecoder.decodeComponent(m, StandardCharsets.UTF_8);
  }

  /**
   * Blocks the calling thread (never an event loop) for a future's value; fails after the timeout.
   */
  public static <T> T await(Future<T> f, long seconds) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("did not finish: " + e, e);
    }
  }

  @Override
  public void close() {
    await(vertx.close(), 10);
  }
}
