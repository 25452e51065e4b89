package dev.pfgm.server.app;

import dev.pfgm.server.cluster.GatewayNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gateway's cluster series: jobs placed per worker, jobs resumed after a worker was lost (by the
 * worker that took them over), and the live workers.
 */
final class ClusterMetrics implements GatewayNode.Observer {

  private final MeterRegistry registry;
  private final AtomicInteger workers = new AtomicInteger();
  private final Timer hop;

  ClusterMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("pfgm.cluster.workers", workers::get)
        .description("Workers this gateway hears from now")
        .strongReference(true)
        .register(registry);
    hop =
        Timer.builder("pfgm.cluster.frame.hop")
            .description(
                "Step frames, sent by the worker's engine to read by this gateway (wall clocks:"
                    + " exact on one machine, plus the clock offset across machines)")
            // A summary with its median and p99 (over the last minutes): Prometheus's text format
            // drops the quantiles of a timer that also has buckets.
            .publishPercentiles(0.5, 0.99)
            .register(registry);
  }

  @Override
  public void frameHop(long nanos) {
    hop.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  @Override
  public void placed(String model, String worker) {
    Counter.builder("pfgm.cluster.placements")
        .description("Jobs this gateway placed, by model and worker (host:port)")
        .tags("model", model, "worker", worker)
        .register(registry)
        .increment();
  }

  @Override
  public void resumed(String model, String worker) {
    Counter.builder("pfgm.cluster.resumes")
        .description(
            "Jobs resumed from their last checkpoint after their worker was lost, by the worker"
                + " that took them over")
        .tags("model", model, "worker", worker)
        .register(registry)
        .increment();
  }

  @Override
  public void workers(int live) {
    workers.set(live);
  }
}
