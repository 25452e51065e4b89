package dev.pfgm.server.app;

import dev.pfgm.proto.v1.GeneratorGrpcService;
import dev.pfgm.server.engine.Engine;
import dev.pfgm.server.runtime.LoadedModel;
import dev.pfgm.server.runtime.ModelRepository;
import dev.pfgm.server.transport.BearerAuth;
import dev.pfgm.server.transport.GenerateObserver;
import dev.pfgm.server.transport.GeneratorEndpoint;
import dev.pfgm.server.transport.HttpFront;
import dev.pfgm.server.transport.WebPage;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.health.HealthService;
import io.vertx.grpc.reflection.ReflectionService;
import io.vertx.grpc.server.GrpcProtocol;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Wires a running server: loads the models, deploys engine worker verticles per model, and serves
 * pfgm.v1.Generator, grpc.health.v1 and server reflection on one port (TLS and bearer tokens when
 * configured), and Prometheus metrics on another.
 */
public final class PfgmServer implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(PfgmServer.class.getName());

  /** The status message of streams cancelled when the grace period is over. */
  static final String SHUTTING_DOWN = "server shutting down";

  private final Vertx vertx;
  private final ModelSet models;
  private final GeneratorEndpoint endpoint;
  private final List<GrpcPortVerticle> grpcPorts;
  private final HttpServer metricsHttp;
  private final ServerMetrics metrics;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean polling = new AtomicBoolean();
  private volatile long pollTimer = -1;

  private PfgmServer(
      Vertx vertx,
      ModelSet models,
      GeneratorEndpoint endpoint,
      List<GrpcPortVerticle> grpcPorts,
      HttpServer metricsHttp,
      ServerMetrics metrics) {
    this.vertx = vertx;
    this.models = models;
    this.endpoint = endpoint;
    this.grpcPorts = grpcPorts;
    this.metricsHttp = metricsHttp;
    this.metrics = metrics;
  }

  /** Starts a server; fails when no model can be served or a port cannot be bound. */
  public static PfgmServer start(ServerConfig config) throws Exception {
    ModelRepository repository = ModelRepository.load(config.modelsDir(), config.runtime());
    if (repository.models().isEmpty()) {
      repository.close();
      throw new IOException(
          "no servable model in "
              + config.modelsDir().toAbsolutePath()
              + (repository.refusals().isEmpty()
                  ? ""
                  : ": " + String.join("; ", repository.refusals())));
    }
    String defaultModel;
    try {
      defaultModel = defaultModel(config, repository);
    } catch (ConfigException e) {
      repository.close();
      throw e;
    }
    ServerMetrics metrics = config.metricsPort() == 0 ? null : new ServerMetrics();
    Vertx vertx = Vertx.vertx();
    try {
      EnginePool engines =
          new EnginePool(
              vertx,
              config.engine(),
              config.enginesPerModel(),
              metrics == null ? null : metrics::engine);
      ModelSet models =
          ModelSet.start(
              vertx,
              repository,
              engines,
              defaultModel,
              config.serving(),
              metrics,
              config.runtime());
      GenerateObserver observer = metrics == null ? GenerateObserver.NONE : metrics;
      GeneratorEndpoint endpoint =
          new GeneratorEndpoint(
              models::served, observer, config.serving().writeBudget(), config.maxRequestBytes());

      // Without transcoding, a non-gRPC content type (application/json) gets 415, not 500.
      GrpcServer grpc =
          GrpcServer.server(
              vertx,
              new GrpcServerOptions()
                  .setMaxMessageSize(config.maxRequestBytes())
                  .removeEnabledProtocol(GrpcProtocol.TRANSCODING));
      grpc.addService(endpoint);
      grpc.addService(ReflectionService.v1());
      // Vert.x answers SERVING for "" (the whole server) whatever is registered: probes must name
      // pfgm.v1.Generator to see a drain, or pfgm.v1.Generator/<model id> for one model.
      HealthService health =
          HealthService.create(vertx)
              .register(
                  GeneratorGrpcService.SERVICE_NAME,
                  () -> Future.succeededFuture(endpoint.serving()));
      models.health(health, endpoint::serving);
      grpc.addService(health);
      Handler<HttpServerRequest> handler =
          new HttpFront(
              config.authTokens().isEmpty()
                  ? grpc
                  : new BearerAuth(config.authTokens(), grpc, observer));
      handler =
          new WebPage(
              handler); // the browser page: GET / and /web/**, before (outside) the token check
      // Metrics bind first: Vert.x shares one port between servers of one instance, so a gRPC
      // port 0 that happened to pick the metrics port would split its connections between them.
      HttpServer metricsHttp = null;
      AtomicInteger connections = new AtomicInteger();
      if (metrics != null) {
        metrics.openStreams(endpoint::openStreams);
        metrics.openConnections(connections::get);
        metricsHttp =
            listen(
                "metrics",
                config.metricsHost(),
                config.metricsPort(),
                metrics.serve(vertx, config.metricsHost(), config.metricsPort()));
      }
      List<GrpcPortVerticle> grpcPorts = listenOnEventLoops(vertx, config, handler, connections);
      int grpcPort = grpcPorts.get(0).actualPort();
      int metricsPort = metricsHttp == null ? 0 : metricsHttp.actualPort();
      LOG.info(
          () ->
              "pfgm-serve listening on "
                  + config.host()
                  + ":"
                  + grpcPort
                  + " ("
                  + grpcPorts.size()
                  + " event loops)"
                  + (config.tls() == null
                      ? " (plaintext)"
                      : config.tls().mutual() ? " (mTLS)" : " (TLS)")
                  + (config.authTokens().isEmpty() ? "" : " with bearer tokens")
                  + " with models "
                  + models.ids()
                  + " (default "
                  + defaultModel
                  + ")"
                  + (metricsPort == 0
                      ? "; metrics off"
                      : "; metrics on "
                          + config.metricsHost()
                          + ":"
                          + metricsPort
                          + ServerMetrics.PATH));
      PfgmServer server = new PfgmServer(vertx, models, endpoint, grpcPorts, metricsHttp, metrics);
      if (config.modelPollSeconds() > 0) {
        server.pollModels(config.modelPollSeconds());
      }
      return server;
    } catch (Exception e) {
      await(vertx.close());
      repository.close();
      if (metrics != null) {
        metrics.close();
      }
      throw e;
    }
  }

  /**
   * The configured default model, which must be served, or the built-in choice: DEFAULT_MODEL when
   * served, else the first served model.
   */
  private static String defaultModel(ServerConfig config, ModelRepository models)
      throws ConfigException {
    String id = config.defaultModel();
    if (id == null) {
      return models.models().containsKey(ServerConfig.DEFAULT_MODEL)
          ? ServerConfig.DEFAULT_MODEL
          : models.models().keySet().iterator().next();
    }
    if (!models.models().containsKey(id)) {
      throw new ConfigException(
          "default-model '"
              + id
              + "' is not served from "
              + config.modelsDir()
              + "; served: "
              + models.models().keySet()
              + (models.refusals().isEmpty()
                  ? ""
                  : "; refused: " + String.join("; ", models.refusals())));
    }
    return id;
  }

  /**
   * The gRPC port on {@code eventLoops} verticle instances sharing one socket. Vert.x shares a
   * server by host and port; port 0 is never shared, so a free port is asked for as -1 (Vert.x: "a
   * random port, shared by every server that asks for -1").
   */
  private static List<GrpcPortVerticle> listenOnEventLoops(
      Vertx vertx,
      ServerConfig config,
      Handler<HttpServerRequest> handler,
      AtomicInteger connections)
      throws IOException {
    List<GrpcPortVerticle> ports = new ArrayList<>();
    HttpServerOptions options = GrpcPortOptions.of(config);
    if (options.getPort() == 0) {
      options.setPort(-1);
    }
    for (int i = 0; i < config.eventLoops(); i++) {
      GrpcPortVerticle port =
          new GrpcPortVerticle(new HttpServerOptions(options), handler, connections);
      listen("gRPC", config.host(), config.port(), vertx.deployVerticle(port));
      ports.add(port);
    }
    return List.copyOf(ports);
  }

  /** Awaits a listen, naming the port in the failure (a busy port, a bad certificate). */
  private static <T> T listen(String what, String host, int port, Future<T> listening)
      throws IOException {
    try {
      return await(listening);
    } catch (Exception e) {
      Throwable cause =
          e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
              ? e.getCause()
              : e;
      throw new IOException(
          "cannot listen on " + what + " port " + host + ":" + port + ": " + cause, cause);
    }
  }

  public int port() {
    return grpcPorts.get(0).actualPort();
  }

  /** The metrics port, or 0 when metrics are off. */
  public int metricsPort() {
    return metricsHttp == null ? 0 : metricsHttp.actualPort();
  }

  /** Model folders refused at startup or by the last reload, one message each. */
  public List<String> refusals() {
    return models.refusals();
  }

  /** A served model (its card and network), or null when there is none of that id. */
  public LoadedModel model(String modelId) {
    return models.model(modelId);
  }

  /** The engines of the served version of a model (for gauges and tests). */
  public List<Engine> engines(String modelId) {
    return models.engines(modelId);
  }

  /**
   * Reads the models folder again, as at startup, and serves what it holds now: new folders are
   * loaded and served, removed ones take no new stream and go once their streams have ended,
   * changed ones are loaded again and replace the old version when they load (else the old one
   * keeps serving). Blocks while models load; never call it on an event loop. One at a time.
   */
  public ReloadReport reload() throws Exception {
    return models.reload();
  }

  /**
   * Reloads the models folder every {@code seconds}, off the event loop; a poll that finds a reload
   * still running skips its turn. A failed reload is logged and the next poll tries again.
   */
  private void pollModels(int seconds) {
    pollTimer =
        vertx.setPeriodic(
            seconds * 1000L,
            id -> {
              if (polling.compareAndSet(false, true)) {
                vertx
                    .executeBlocking(this::reload, false)
                    .onComplete(ar -> polling.set(false))
                    .onFailure(e -> LOG.severe("model poll: " + e.getMessage()));
              }
            });
  }

  /**
   * The health service name of one model: SERVING while it is served and the server takes streams.
   */
  public static String healthName(String modelId) {
    return ModelSet.healthName(modelId);
  }

  /** Active rows of a model, over all its engines. */
  public int activeRows(String modelId) {
    return engines(modelId).stream().mapToInt(Engine::activeRows).sum();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Response bytes written to streams but not yet sent (slow readers hold them). */
  public long queuedResponseBytes() {
    return endpoint.queuedBytes();
  }

  /** Generate streams that have not ended yet. */
  public int openStreams() {
    return endpoint.openStreams();
  }

  /**
   * Drains and stops; blocks the calling thread (never call it on an event loop). New streams get
   * UNAVAILABLE and health turns NOT_SERVING at once; running streams may finish within grace;
   * those still open then end with UNAVAILABLE "server shutting down". Idempotent.
   */
  public void shutdown(Duration grace) throws Exception {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    vertx.cancelTimer(pollTimer);
    endpoint.stopAccepting();
    int running = endpoint.openStreams();
    LOG.info(
        () ->
            "shutting down: " + running + " stream(s) running, grace " + grace.toMillis() + " ms");
    long deadline = System.nanoTime() + grace.toNanos();
    while (endpoint.openStreams() > 0 && System.nanoTime() - deadline < 0) {
      Thread.sleep(20);
    }
    if (endpoint.openStreams() > 0) {
      int cancelled = endpoint.cancelOpenStreams(SHUTTING_DOWN);
      LOG.warning(() -> "grace period over: ended " + cancelled + " stream(s) with UNAVAILABLE");
      long flush = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (endpoint.openStreams() > 0 && System.nanoTime() - flush < 0) {
        Thread.sleep(10);
      }
    } else if (running > 0) {
      LOG.info("all running streams finished");
    }
    try {
      // Graceful HTTP/2 close (GOAWAY), so the trailers just written reach their clients.
      await(Future.all(grpcPorts.stream().map(p -> p.shutdown(5)).toList()));
      await(vertx.close());
    } finally {
      models.close();
      if (metrics != null) {
        metrics.close();
      }
    }
  }

  /** Stops at once: open streams end with UNAVAILABLE. */
  @Override
  public void close() throws Exception {
    shutdown(Duration.ZERO);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get();
  }
}
