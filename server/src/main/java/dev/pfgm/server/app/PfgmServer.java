package dev.pfgm.server.app;

import dev.pfgm.server.cluster.GatewayNode;
import dev.pfgm.server.cluster.WorkerNode;
import dev.pfgm.server.engine.Engine;
import dev.pfgm.server.runtime.LoadedModel;
import dev.pfgm.server.runtime.ModelRepository;
import dev.pfgm.server.transport.GenerateObserver;
import dev.pfgm.server.transport.GeneratorEndpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
  private final ModelSet models; // null on a gateway
  private final GeneratorEndpoint endpoint;
  private final Front front;
  private final ServerMetrics metrics;
  private final WorkerNode worker; // on a worker only
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean polling = new AtomicBoolean();
  private volatile long pollTimer = -1;

  private PfgmServer(
      Vertx vertx,
      ModelSet models,
      GeneratorEndpoint endpoint,
      Front front,
      ServerMetrics metrics,
      WorkerNode worker) {
    this.vertx = vertx;
    this.models = models;
    this.endpoint = endpoint;
    this.front = front;
    this.metrics = metrics;
    this.worker = worker;
  }

  /**
   * Starts a server in its role (all, gateway or worker); fails when no model can be served, a port
   * cannot be bound or the cluster cannot be joined.
   */
  public static PfgmServer start(ServerConfig config) throws Exception {
    if (config.cluster().role() == ClusterOptions.Role.GATEWAY) {
      return startGateway(config);
    }
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
    ClusterNode node = null;
    Vertx vertx;
    try {
      node = config.cluster().clustered() ? join(config.cluster()) : null;
      vertx = node == null ? Vertx.vertx() : node.vertx();
    } catch (Exception e) {
      repository.close();
      if (metrics != null) {
        metrics.close();
      }
      throw e;
    }
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
      Front front = Front.serve(vertx, config, endpoint, endpoint::serving, metrics);
      models.health(front.health(), endpoint::serving);
      WorkerNode worker = null;
      if (node != null) {
        worker = new WorkerNode(node.nodeId(), node.name(), models::offers);
        await(vertx.deployVerticle(worker));
        node.onNodeLeft(worker::nodeLeft);
      }
      String role =
          node == null ? "" : " as worker " + node.name() + " of " + node.members() + " node(s),";
      front.logListening(
          config, role + " with models " + models.ids() + " (default " + defaultModel + ")");
      PfgmServer server = new PfgmServer(vertx, models, endpoint, front, metrics, worker);
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

  /** A gateway: the gRPC endpoint over the cluster's workers, no models of its own. */
  private static PfgmServer startGateway(ServerConfig config) throws Exception {
    ServerMetrics metrics = config.metricsPort() == 0 ? null : new ServerMetrics();
    ClusterNode node;
    try {
      node = join(config.cluster());
    } catch (Exception e) {
      if (metrics != null) {
        metrics.close();
      }
      throw e;
    }
    Vertx vertx = node.vertx();
    try {
      String defaultModel =
          config.defaultModel() == null ? ServerConfig.DEFAULT_MODEL : config.defaultModel();
      GatewayNode gateway =
          new GatewayNode(
              node.nodeId(),
              defaultModel,
              config.serving(),
              metrics == null ? GatewayNode.Observer.NONE : metrics.cluster());
      await(vertx.deployVerticle(gateway));
      node.onNodeLeft(gateway::nodeLeft);
      GenerateObserver observer = metrics == null ? GenerateObserver.NONE : metrics;
      GeneratorEndpoint endpoint =
          new GeneratorEndpoint(
              gateway::served, observer, config.serving().writeBudget(), config.maxRequestBytes());
      // With no worker there is nothing to serve: NOT_SERVING until one announces itself.
      Front front =
          Front.serve(
              vertx, config, endpoint, () -> endpoint.serving() && gateway.workers() > 0, metrics);
      front.logListening(
          config,
          " as gateway "
              + node.name()
              + " of "
              + node.members()
              + " node(s), models from the workers (default "
              + defaultModel
              + ")");
      return new PfgmServer(vertx, null, endpoint, front, metrics, null);
    } catch (Exception e) {
      await(vertx.close());
      if (metrics != null) {
        metrics.close();
      }
      throw e;
    }
  }

  private static ClusterNode join(ClusterOptions options) throws IOException {
    try {
      return ClusterNode.join(options);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IOException(
          "cannot join the cluster as "
              + options.name()
              + " (members "
              + options.members()
              + "): "
              + cause.getMessage(),
          cause);
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

  public int port() {
    return front.port();
  }

  /** The metrics port, or 0 when metrics are off. */
  public int metricsPort() {
    return front.metricsPort();
  }

  /** Model folders refused at startup or by the last reload, one message each. */
  public List<String> refusals() {
    return models == null ? List.of() : models.refusals();
  }

  /** A served model (its card and network), or null when there is none of that id. */
  public LoadedModel model(String modelId) {
    return models == null ? null : models.model(modelId);
  }

  /** The engines of the served version of a model (for gauges and tests). */
  public List<Engine> engines(String modelId) {
    return models == null ? List.of() : models.engines(modelId);
  }

  /**
   * Reads the models folder again, as at startup, and serves what it holds now: new folders are
   * loaded and served, removed ones take no new stream and go once their streams have ended,
   * changed ones are loaded again and replace the old version when they load (else the old one
   * keeps serving). Blocks while models load; never call it on an event loop. One at a time.
   */
  public ReloadReport reload() throws Exception {
    if (models == null) {
      throw new IOException("a gateway has no models folder: reload its workers");
    }
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

  /** Jobs of a model that have become active, over all its engines. */
  public long startedJobs(String modelId) {
    return engines(modelId).stream().mapToLong(Engine::startedJobs).sum();
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
    if (worker != null) {
      worker.drain(); // gateways place nothing new here; running jobs may finish
    }
    int running = endpoint.openStreams();
    LOG.info(
        () ->
            "shutting down: " + running + " stream(s) running, grace " + grace.toMillis() + " ms");
    long deadline = System.nanoTime() + grace.toNanos();
    while ((endpoint.openStreams() > 0 || (worker != null && worker.runningJobs() > 0))
        && System.nanoTime() - deadline < 0) {
      Thread.sleep(20);
    }
    if (worker != null && worker.runningJobs() > 0) {
      // Leaving the cluster below hands them back: their gateways resume them elsewhere.
      LOG.info(() -> worker.runningJobs() + " cluster job(s) go back to their gateways");
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
      await(Future.all(front.grpcPorts.stream().map(p -> p.shutdown(5)).toList()));
      await(vertx.close());
    } finally {
      if (models != null) {
        models.close();
      }
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
