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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The engines of every model, each on its own worker verticle, and the placement of jobs: a job
 * goes over the event bus to the least-loaded engine of its model.
 */
final class EnginePool implements JobSink {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setCodecName(JobCodec.NAME).setLocalOnly(true);

  private final Vertx vertx;
  private final Map<String, List<Engine>> engines = new LinkedHashMap<>();

  private EnginePool(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Deploys enginesPerModel warmed-up engines per model; metrics may be null (metrics off). */
  static Future<EnginePool> deploy(Vertx vertx, Iterable<LoadedModel> models, EngineLimits limits,
      int enginesPerModel, Function<String, EngineMetrics> metrics) {
    vertx.eventBus().registerCodec(new JobCodec());
    EnginePool pool = new EnginePool(vertx);
    List<Future<?>> deployed = new ArrayList<>();
    // The model's limits are shared out over its engines (Settings checks that a request still fits one).
    EngineLimits share = new EngineLimits(limits.maxBatchRows(), Math.max(1, limits.maxActiveRows() / enginesPerModel),
        limits.maxQueuedRows() / enginesPerModel);
    for (LoadedModel m : models) {
      String id = m.card().id();
      List<Engine> list = new ArrayList<>();
      // One set of meters per model, summing its engines.
      EngineMetrics em = metrics == null ? null : metrics.apply(id);
      for (int k = 0; k < enginesPerModel; k++) {
        Engine engine = new Engine(m.network(), share, System::nanoTime, em == null ? EngineObserver.NONE : em);
        if (em != null) {
          em.track(engine);
        }
        list.add(engine);
        // Each engine has a worker pool of its own thread: ONNX Runtime is always called from the
        // same, cache-warm thread (on the shared pool each job landed on another of 20 threads),
        // and no other blocking work waits behind a tick.
        deployed.add(vertx.deployVerticle(new EngineVerticle(address(id, k), engine),
            new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)
                .setWorkerPoolName("pfgm-engine-" + id + "-" + k).setWorkerPoolSize(1)
                // A heavy network's warm-up or batch may take minutes on a CPU: not a blocked thread.
                .setMaxWorkerExecuteTime(10).setMaxWorkerExecuteTimeUnit(TimeUnit.MINUTES)));
      }
      pool.engines.put(id, List.copyOf(list));
    }
    return Future.all(deployed).map(pool);
  }

  static String address(String modelId, int index) {
    return "pfgm.engine." + modelId + "." + index;
  }

  @Override
  public void submit(String modelId, Job job) {
    List<Engine> list = engines.get(modelId);
    int best = 0;
    for (int k = 1; k < list.size(); k++) {
      if (list.get(k).load() < list.get(best).load()) {
        best = k;
      }
    }
    vertx.eventBus().send(address(modelId, best), job, LOCAL);
  }

  /** The engines of a model. */
  List<Engine> engines(String modelId) {
    return engines.getOrDefault(modelId, List.of());
  }
}
