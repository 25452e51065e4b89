package dev.pfgm.server.app;

import dev.pfgm.server.engine.CompletedView;
import dev.pfgm.server.engine.EngineException;
import dev.pfgm.server.engine.EngineLimits;
import dev.pfgm.server.engine.Job;
import dev.pfgm.server.engine.JobListener;
import dev.pfgm.server.engine.StepView;
import dev.pfgm.server.it.GrpcTestClient;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import dev.pfgm.server.sampler.Trajectory;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;

/**
 * Holds a model's engine (its first one) between two ticks: a job sent to it as jobs arrive, over
 * the event bus, too large for the engine's default limits, whose listener blocks in {@code failed}
 * (refused at once, on the engine's own worker context) until {@link #close()}. The engine's next
 * tick waits behind it, its jobs stay exactly where they are, and its row counts do not change.
 * (Listeners must never block; this one does so on purpose.) Tests use it to look at a server
 * mid-generation without racing the generation; the server must run the default limits.
 */
final class EngineHold implements AutoCloseable {

  private final CompletableFuture<Void> release = new CompletableFuture<>();

  /** Returns once the engine is held (after the tick in progress, if any). */
  static EngineHold of(PfgmServer server, String modelId) {
    return new EngineHold(server, modelId);
  }

  private EngineHold(PfgmServer server, String modelId) {
    Promise<Void> holding = Promise.promise();
    double[] x0 = new double[server.model(modelId).network().dataDim()];
    Trajectory t = new Trajectory(SolverKind.EULER, Schedule.edm(1, 1, 1, 7), x0);
    Job job =
        new Job(
            Collections.nCopies(EngineLimits.DEFAULT_MAX_ACTIVE_ROWS + 1, t),
            null,
            0,
            Job.NO_DEADLINE,
            new JobListener() {
              @Override
              public void admitted(int queuePosition) {}

              @Override
              public void step(StepView step) {}

              @Override
              public void completed(CompletedView result) {}

              @Override
              public void failed(EngineException error) {
                holding.complete();
                release.join();
              }
            });
    server
        .vertx()
        .eventBus()
        .send(
            EnginePool.address(modelId, 0),
            job,
            new DeliveryOptions().setCodecName(JobCodec.NAME).setLocalOnly(true));
    GrpcTestClient.await(holding.future(), 30);
  }

  /** Lets the engine go on. */
  @Override
  public void close() {
    release.complete(null);
  }
}
