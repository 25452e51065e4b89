package dev.pfgm.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.internal.v1.ClusterMessage;
import dev.pfgm.proto.internal.v1.JobStart;
import dev.pfgm.proto.internal.v1.Progress;
import dev.pfgm.server.engine.StepView;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import dev.pfgm.server.sampler.Trajectory;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a worker sends per step: a frame (state, and the denoised estimate when asked) on the
 * client's steps; while the client is behind, only a checkpoint every few steps.
 */
class WorkerCallTest {

  private static final int STEPS = 40;
  private final Vertx vertx = Vertx.vertx();
  private final LinkedBlockingQueue<Progress> sent = new LinkedBlockingQueue<>();

  WorkerCallTest() {
    ClusterCodec.register(vertx.eventBus());
    vertx
        .eventBus()
        .<ClusterMessage>consumer("gateway", m -> sent.add(m.body().getEvent().getProgress()))
        .completion()
        .toCompletionStage()
        .toCompletableFuture()
        .join();
  }

  @AfterEach
  void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  /** Runs every step of a one-sample job through a call and returns what reached "gateway". */
  private List<Progress> run(boolean congested, boolean denoised) throws Exception {
    JobStart start =
        JobStart.newBuilder()
            .setJobId("j")
            .setReplyTo("gateway")
            .setPreviewEvery(10)
            .setCheckpointEvery(8)
            .setDenoised(denoised)
            .setCongested(congested)
            .build();
    WorkerCall call = new WorkerCall(vertx.eventBus(), start, STEPS, () -> {});
    Schedule schedule = Schedule.edm(STEPS, 0.002, 80, 7);
    Trajectory t = new Trajectory(SolverKind.EULER, schedule, new double[] {1, 2});
    for (int i = 0; i < STEPS; i++) {
      t.supply(new double[] {0, 0});
      call.step(new StepView(i, schedule.sigma(i + 1), t.nfe(), List.of(t)));
    }
    Thread.sleep(200); // local delivery is quick; nothing more is on its way after this
    List<Progress> out = new java.util.ArrayList<>();
    for (Progress p; (p = sent.poll(1, TimeUnit.MILLISECONDS)) != null; ) {
      out.add(p);
    }
    return out;
  }

  @Test
  void aReadingClientGetsFramesOnItsStepsAndCheckpointsBetween() throws Exception {
    List<Progress> out = run(false, true);
    // Frames at 9, 19, 29, 39; checkpoints at 7, 15, 23, 31 (every 8th step), 39 is a frame.
    assertEquals(
        List.of(7, 9, 15, 19, 23, 29, 31, 39), out.stream().map(Progress::getIndex).toList());
    for (Progress p : out) {
      boolean frame = (p.getIndex() + 1) % 10 == 0;
      assertEquals(frame, p.getFrame(), "step " + p.getIndex());
      assertEquals(frame ? 1 : 0, p.getDenoisedCount(), "step " + p.getIndex());
      assertEquals(1, p.getSamplesCount());
      assertEquals(p.getIndex() + 1, p.getSamples(0).getStep());
    }
  }

  @Test
  void aCongestedClientCostsTheWorkerOnlyACheckpointEveryFewSteps() throws Exception {
    List<Progress> out = run(true, true);
    assertEquals(List.of(7, 15, 23, 31, 39), out.stream().map(Progress::getIndex).toList());
    assertTrue(out.stream().noneMatch(Progress::getFrame));
    assertTrue(out.stream().allMatch(p -> p.getDenoisedCount() == 0));
  }

  @Test
  void framesCarryNoDenoisedEstimateWhenTheClientDoesNotReadIt() throws Exception {
    assertTrue(run(false, false).stream().allMatch(p -> p.getDenoisedCount() == 0));
  }
}
