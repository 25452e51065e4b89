package dev.pfgm.server.app;

import dev.pfgm.server.cluster.GatewayNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gateway's cluster series: jobs placed per worker, jobs resumed after a worker was lost (by the
 * worker that took them over), and the live workers.
 */
final class ClusterMetrics implements GatewayNode.Observer {

  private final MeterRegistry registry;
  private final AtomicInteger workers = new AtomicInteger();

  ClusterMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("pfgm.cluster.workers", workers::get)
        .description("Workers this gateway hears from now")
        .strongReference(true)
        .register(registry);
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
