package dev.pfgm.server.app;

import dev.pfgm.server.engine.Engine;
import dev.pfgm.server.engine.EngineLimits;
import dev.pfgm.server.engine.EngineObserver;
import dev.pfgm.server.engine.Job;
import dev.pfgm.server.runtime.LoadedModel;
import dev.pfgm.server.transport.JobSink;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Deploys the engines of a model version, each on its own worker verticle, and places its jobs: a
 * job goes over the event bus to the least-loaded engine of its version.
 */
final class EnginePool {

  private static final DeliveryOptions LOCAL =
      new DeliveryOptions().setCodecName(JobCodec.NAME).setLocalOnly(true);

  /** The engines of one version of a model, and where its jobs go. */
  static final class Engines implements JobSink {
    private final Vertx vertx;
    private final String modelId;
    private final List<Engine> engines;
    private final List<String> addresses;
    private final List<String> deployments;

    private Engines(
        Vertx vertx,
        String modelId,
        List<Engine> engines,
        List<String> addresses,
        List<String> deployments) {
      this.vertx = vertx;
      this.modelId = modelId;
      this.engines = engines;
      this.addresses = addresses;
      this.deployments = deployments;
    }

    @Override
    public void submit(Job job) {
      int best = 0;
      for (int k = 1; k < engines.size(); k++) {
        if (engines.get(k).load() < engines.get(best).load()) {
          best = k;
        }
      }
      vertx.eventBus().send(addresses.get(best), job, LOCAL);
    }

    List<Engine> engines() {
      return engines;
    }

    String modelId() {
      return modelId;
    }
  }

  private final Vertx vertx;
  private final EngineLimits share;
  private final int enginesPerModel;
  private final Function<String, EngineMetrics> metrics;
  // One set of meters per model id, summing the engines of whichever versions run.
  private final Map<String, EngineMetrics> meters = new ConcurrentHashMap<>();
  private int
      generation; // 0 at startup, then one per reload; keeps addresses and thread names apart

  /** metrics may be null (metrics off). */
  EnginePool(
      Vertx vertx,
      EngineLimits limits,
      int enginesPerModel,
      Function<String, EngineMetrics> metrics) {
    vertx.eventBus().registerCodec(new JobCodec());
    this.vertx = vertx;
    // The model's limits are shared out over its engines (Settings checks that a request still fits
    // one).
    this.share =
        new EngineLimits(
            limits.maxBatchRows(),
            Math.max(1, limits.maxActiveRows() / enginesPerModel),
            limits.maxQueuedRows() / enginesPerModel);
    this.enginesPerModel = enginesPerModel;
    this.metrics = metrics;
  }

  /** One engine's limits (the model's, shared out over its engines). */
  EngineLimits share() {
    return share;
  }

  int enginesPerModel() {
    return enginesPerModel;
  }

  /**
   * The next reload's engines get addresses and thread names of their own. Call from one thread at
   * a time.
   */
  void nextGeneration() {
    generation++;
  }

  /**
   * Deploys enginesPerModel warmed-up engines for a model; on failure, undeploys what did start.
   */
  Future<Engines> deploy(LoadedModel m) {
    String id = m.card().id();
    String tag = generation == 0 ? id : id + "@" + generation; // '@' is not allowed in an id
    EngineMetrics em = metrics == null ? null : meters.computeIfAbsent(id, metrics);
    List<Engine> engines = new ArrayList<>();
    List<String> addresses = new ArrayList<>();
    List<Future<String>> deployed = new ArrayList<>();
    for (int k = 0; k < enginesPerModel; k++) {
      Engine engine =
          new Engine(m.network(), share, System::nanoTime, em == null ? EngineObserver.NONE : em);
      engines.add(engine);
      addresses.add(address(tag, k));
      // Each engine has a worker pool of its own thread: ONNX Runtime is always called from the
      // same, cache-warm thread (on the shared pool each job landed on another of 20 threads),
      // and no other blocking work waits behind a tick.
      deployed.add(
          vertx.deployVerticle(
              new EngineVerticle(address(tag, k), engine),
              new DeploymentOptions()
                  .setThreadingModel(ThreadingModel.WORKER)
                  .setWorkerPoolName("pfgm-engine-" + tag + "-" + k)
                  .setWorkerPoolSize(1)
                  // A heavy network's warm-up or batch may take minutes on a CPU: not a blocked
                  // thread.
                  .setMaxWorkerExecuteTime(10)
                  .setMaxWorkerExecuteTimeUnit(TimeUnit.MINUTES)));
    }
    return Future.join(deployed)
        .<Engines>transform(
            all -> {
              List<String> ids =
                  deployed.stream().filter(Future::succeeded).map(Future::result).toList();
              if (all.failed()) {
                Future<Engines> failed = Future.failedFuture(all.cause());
                return Future.join(ids.stream().map(vertx::undeploy).toList())
                    .transform(v -> failed);
              }
              if (em != null) {
                engines.forEach(em::track);
              }
              return Future.succeededFuture(
                  new Engines(vertx, id, List.copyOf(engines), List.copyOf(addresses), ids));
            });
  }

  /**
   * Undeploys a version's engines (each stops after its tick in progress); its network may then be
   * closed.
   */
  Future<Void> undeploy(Engines e) {
    EngineMetrics em = meters.get(e.modelId);
    if (em != null) {
      e.engines.forEach(em::untrack);
    }
    return Future.join(e.deployments.stream().map(vertx::undeploy).toList()).mapEmpty();
  }

  /**
   * The event-bus address of engine k of a model (tag: the id, then "@generation" after a reload).
   */
  static String address(String tag, int index) {
    return "pfgm.engine." + tag + "." + index;
  }
}
