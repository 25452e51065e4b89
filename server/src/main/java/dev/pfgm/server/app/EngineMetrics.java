package dev.pfgm.server.app;

import dev.pfgm.server.engine.Engine;
import dev.pfgm.server.engine.EngineObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * Metrics of one model's engines, tagged model=<id>. The observer methods run on the engines'
 * threads; the gauges sum the engines' occupancy, which each engine publishes in volatile fields.
 */
final class EngineMetrics implements EngineObserver {

  /**
   * Bucket bounds: an exact field takes well under a millisecond, a U-Net batch on a CPU seconds.
   */
  static final Duration[] LATENCY_BUCKETS =
      ServerMetrics.seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5);

  private final MeterRegistry registry;
  private final String model;
  private final List<Engine> engines = new CopyOnWriteArrayList<>();
  private final Counter steps;
  private final Counter networkCalls;
  private final DistributionSummary batchRows;
  private final Timer networkLatency;

  EngineMetrics(MeterRegistry registry, String model) {
    this.registry = registry;
    this.model = model;
    gauge("pfgm.engine.active.rows", "Rows being stepped", Engine::activeRows);
    gauge(
        "pfgm.engine.queued.rows",
        "Rows waiting for admission to the active set",
        Engine::queuedRows);
    gauge(
        "pfgm.engine.active.streams", "Jobs (Generate streams) being stepped", Engine::activeJobs);
    steps =
        Counter.builder("pfgm.engine.steps")
            .description("Solver steps finished, counted per job as they happen")
            .tag("model", model)
            .register(registry);
    networkCalls =
        Counter.builder("pfgm.engine.network.calls")
            .description("Batched network calls")
            .tag("model", model)
            .register(registry);
    batchRows =
        DistributionSummary.builder("pfgm.engine.batch.rows")
            .description("Rows per network call")
            .tag("model", model)
            .serviceLevelObjectives(1, 4, 16, 64, 256, 1024, 4096)
            .register(registry);
    networkLatency =
        Timer.builder("pfgm.engine.network.latency")
            .description("Duration of one network call")
            .tag("model", model)
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
  }

  private void gauge(String name, String description, ToIntFunction<Engine> value) {
    Gauge.builder(name, engines, list -> list.stream().mapToInt(value).sum())
        .description(description)
        .tag("model", model)
        .strongReference(true)
        .register(registry);
  }

  /** Adds an engine of this model to the gauges. */
  void track(Engine engine) {
    engines.add(engine);
  }

  /** Takes an undeployed engine (of a version a reload retired) off the gauges. */
  void untrack(Engine engine) {
    engines.remove(engine);
  }

  @Override
  public void networkCall(int rows, long nanos) {
    networkCalls.increment();
    batchRows.record(rows);
    networkLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void stepCompleted(int rows) {
    steps.increment();
  }

  @Override
  public void jobDropped(int rows, String reason) {
    Counter.builder("pfgm.engine.jobs.dropped")
        .description("Jobs that left the engine without a result, by reason")
        .tags("model", model, "reason", reason)
        .register(registry)
        .increment();
  }
}
