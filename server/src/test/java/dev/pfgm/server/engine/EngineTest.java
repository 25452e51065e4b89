package dev.pfgm.server.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.server.sampler.Prior;
import dev.pfgm.server.sampler.SampleSeeds;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import dev.pfgm.server.sampler.Trajectory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EngineTest {

  static final int N = 16;
  final FakeNetwork network = new FakeNetwork(N);
  final AtomicLong clock = new AtomicLong();

  Engine engine(int maxBatch, int maxActive, int maxQueued) {
    return new Engine(network, new EngineLimits(maxBatch, maxActive, maxQueued), clock::get);
  }

  static List<Trajectory> trajectories(long seed, int samples, int steps) {
    Schedule schedule = Schedule.edm(steps, 0.002, 80, 7);
    Prior prior = Prior.of(Double.POSITIVE_INFINITY, N, 80);
    List<Trajectory> out = new ArrayList<>();
    for (int i = 0; i < samples; i++) {
      out.add(new Trajectory(SolverKind.HEUN, schedule, prior.sample(SampleSeeds.rng(seed + i))));
    }
    return out;
  }

  static Job job(long seed, int samples, int steps, int previewEvery, RecordingListener l) {
    return new Job(trajectories(seed, samples, steps), null, previewEvery, Job.NO_DEADLINE, l);
  }

  static void drain(Engine e) {
    for (int guard = 0; e.hasWork(); guard++) {
      e.tick();
      assertTrue(guard < 100_000, "engine did not finish");
    }
  }

  @Test
  void thirtyTwoConcurrentJobsGiveTheSameSamplesAsSerialRuns() {
    Engine serial = engine(64, 256, 0);
    List<double[][]> alone = new ArrayList<>();
    for (int j = 0; j < 32; j++) {
      RecordingListener l = new RecordingListener();
      serial.submit(job(1000 + j, 1, 10 + j % 5, 0, l));
      drain(serial);
      alone.add(l.finalStates);
    }
    Engine together = engine(64, 256, 0);
    List<RecordingListener> ls = new ArrayList<>();
    for (int j = 0; j < 32; j++) {
      RecordingListener l = new RecordingListener();
      ls.add(l);
      together.submit(job(1000 + j, 1, 10 + j % 5, 0, l));
      together.tick(); // each joins while the others are mid-flight
    }
    drain(together);
    for (int j = 0; j < 32; j++) {
      assertArrayEquals(alone.get(j)[0], ls.get(j).finalStates[0], "job " + j);
    }
  }

  /**
   * The fake above is row-independent by construction, and every row of a job shares its label, so
   * rows of different jobs swapped inside a call would still pass the test above for labels. The
   * conditional fake pulls each row to its own class's mean, as a conditional network does: ten
   * jobs of ten classes, joining mid-flight, end as their serial runs and near their own class's
   * mean, so a label packed for the wrong row shows.
   */
  @Test
  void concurrentJobsOfDifferentClassesKeepTheirOwnLabelsAndMatchSerialRuns() {
    FakeNetwork conditional = new FakeNetwork(N, 10);
    Engine serial = new Engine(conditional, new EngineLimits(64, 256, 0), clock::get);
    List<double[][]> alone = new ArrayList<>();
    for (int c = 0; c < 10; c++) {
      RecordingListener l = new RecordingListener();
      serial.submit(
          new Job(trajectories(2000 + 10 * c, 2, 8 + c % 3), oneHot(c, 2), 0, Job.NO_DEADLINE, l));
      drain(serial);
      alone.add(l.finalStates);
    }
    Engine together = new Engine(conditional, new EngineLimits(64, 256, 0), clock::get);
    List<RecordingListener> ls = new ArrayList<>();
    for (int c = 0; c < 10; c++) {
      RecordingListener l = new RecordingListener();
      ls.add(l);
      together.submit(
          new Job(trajectories(2000 + 10 * c, 2, 8 + c % 3), oneHot(c, 2), 0, Job.NO_DEADLINE, l));
      together.tick();
    }
    drain(together);
    for (int c = 0; c < 10; c++) {
      for (int i = 0; i < 2; i++) {
        double[] x = ls.get(c).finalStates[i];
        assertArrayEquals(alone.get(c)[i], x, "class " + c + " sample " + i);
        double mean = java.util.Arrays.stream(x).average().orElseThrow();
        // x(0) = mu + (x0 - mu) sd / sqrt(sigmaMax^2 + sd^2): about mu, spread sd, mean of N = 16
        // spread sd/4.
        assertEquals(
            FakeNetwork.CLASS_SPACING * c,
            mean,
            1.0,
            "class " + c + " sample " + i + " ends at its class");
      }
    }
  }

  /** [rows × 10] one-hot rows, all of class c. */
  static float[] oneHot(int c, int rows) {
    float[] v = new float[rows * 10];
    for (int r = 0; r < rows; r++) {
      v[r * 10 + c] = 1;
    }
    return v;
  }

  @Test
  void rowsAtDifferentStepsShareOneNetworkCall() {
    Engine e = engine(64, 256, 0);
    e.submit(job(1, 2, 18, 0, new RecordingListener()));
    e.tick();
    e.tick();
    e.tick();
    e.submit(job(2, 3, 18, 0, new RecordingListener()));
    network.calls.clear();
    e.tick();
    FakeNetwork.Call call = network.calls.get(0);
    assertEquals(5, call.sigma().length);
    assertTrue(call.sigma()[0] < 80f, "the older job is past its first step");
    assertEquals(80f, call.sigma()[4], "the new job starts at sigma_max");
  }

  @Test
  void stepsAreReportedEveryKthAndAtTheEndThenCompleted() {
    Engine e = engine(64, 256, 0);
    RecordingListener l = new RecordingListener();
    e.submit(job(3, 2, 7, 3, l));
    drain(e);
    assertEquals(List.of("admitted", "step 2", "step 5", "step 6", "completed"), l.events);
  }

  @Test
  void batchLimitSplitsAJobAcrossTicksWithoutLettingItsSamplesDrift() {
    Engine e = engine(3, 256, 0);
    RecordingListener l = new RecordingListener();
    e.submit(job(4, 5, 6, 1, l));
    drain(e);
    assertTrue(network.calls.stream().allMatch(c -> c.sigma().length <= 3));
    assertEquals(
        List.of(
            "admitted", "step 0", "step 1", "step 2", "step 3", "step 4", "step 5", "completed"),
        l.events);
    Engine wide = engine(64, 256, 0);
    RecordingListener w = new RecordingListener();
    wide.submit(job(4, 5, 6, 1, w));
    drain(wide);
    for (int i = 0; i < 5; i++) {
      assertArrayEquals(w.finalStates[i], l.finalStates[i]);
    }
  }

  @Test
  void jobsTakeTurnsWhenTheBatchIsFull() {
    Engine e = engine(2, 256, 0);
    RecordingListener old = new RecordingListener();
    RecordingListener young = new RecordingListener();
    e.submit(job(5, 2, 4, 0, old));
    e.submit(job(6, 2, 4, 0, young));
    drain(e);
    assertNotNull(old.finalStates);
    assertNotNull(young.finalStates);
    // Round-robin: the old job's first evaluation, then the young one's, then the old one's second.
    for (int c = 0; c < 14; c++) {
      assertEquals(2, network.calls.get(c).sigma().length);
    }
    assertEquals(80f, network.calls.get(0).sigma()[0]);
    assertEquals(80f, network.calls.get(1).sigma()[0]);
    assertTrue(network.calls.get(2).sigma()[0] < 80f);
  }

  @Test
  void fullEngineQueuesThenRefusesWithCapacityExceeded() {
    Engine e = engine(64, 4, 4);
    RecordingListener a = new RecordingListener();
    RecordingListener b = new RecordingListener();
    RecordingListener c = new RecordingListener();
    RecordingListener d = new RecordingListener();
    e.submit(job(1, 4, 5, 0, a));
    e.submit(job(2, 2, 5, 0, b));
    e.submit(job(3, 2, 5, 0, c));
    e.submit(job(4, 1, 5, 0, d));
    assertEquals(0, a.queuePosition);
    assertEquals(1, b.queuePosition);
    assertEquals(2, c.queuePosition);
    assertInstanceOf(CapacityExceeded.class, d.error);
    assertTrue(d.error.getMessage().contains("server is full"), d.error.getMessage());
    assertEquals(4, e.activeRows());
    assertEquals(4, e.queuedRows());
    drain(e);
    assertTrue(a.finished() && b.finished() && c.finished());
    assertEquals(0, e.activeRows());
    assertEquals(0, e.queuedRows());
  }

  @Test
  void requestLargerThanTheEngineIsRefused() {
    Engine e = engine(64, 4, 100);
    RecordingListener l = new RecordingListener();
    e.submit(job(1, 5, 5, 0, l));
    assertInstanceOf(CapacityExceeded.class, l.error);
    assertEquals(0, e.queuedRows());
  }

  @Test
  void cancelledJobLeavesTheNextBatchAndFreesItsRows() {
    Engine e = engine(64, 256, 0);
    RecordingListener l = new RecordingListener();
    RecordingListener other = new RecordingListener();
    Job j = job(1, 3, 50, 1, l);
    e.submit(j);
    e.submit(job(2, 1, 50, 0, other));
    e.tick();
    e.tick();
    j.cancel();
    network.calls.clear();
    e.tick();
    assertEquals(1, network.calls.get(0).sigma().length, "only the other job's row runs");
    assertEquals(1, e.activeRows());
    int eventsAtCancel = l.events.size();
    drain(e);
    assertEquals(eventsAtCancel, l.events.size(), "no events after cancel");
    assertNotNull(other.finalStates);
    assertEquals(0, e.activeRows());
    assertEquals(0, e.activeJobs());
  }

  @Test
  void expiredDeadlineFailsTheJobWithinOneStepAndFreesItsRows() {
    Engine e = engine(64, 256, 0);
    RecordingListener l = new RecordingListener();
    e.submit(new Job(trajectories(1, 2, 50), null, 0, 1_000, l));
    e.tick();
    clock.set(1_000);
    e.tick();
    assertInstanceOf(DeadlineExpired.class, l.error);
    assertEquals(0, e.activeRows());
    assertTrue(l.error.getMessage().startsWith("deadline passed after"), l.error.getMessage());
  }

  @Test
  void runtimeFailureFailsOnlyTheJobWhoseRowsCauseIt() {
    Engine e = engine(64, 256, 0);
    RecordingListener before = new RecordingListener();
    RecordingListener bad = new RecordingListener();
    RecordingListener after = new RecordingListener();
    e.submit(job(1, 2, 6, 0, before));
    List<Trajectory> poisoned = trajectories(100, 1, 6);
    network.poison = (float) poisoned.get(0).query()[0];
    e.submit(new Job(poisoned, null, 0, Job.NO_DEADLINE, bad));
    e.submit(job(3, 2, 6, 0, after));
    drain(e);
    assertInstanceOf(NetworkFailure.class, bad.error);
    assertTrue(bad.error.getMessage().contains("injected runtime failure"), bad.error.getMessage());
    assertNull(before.error);
    assertNull(after.error);
    // The retry that isolates the culprit scatters each good job's rows (before and after the
    // culprit's in the call) back to that job's own samples: they end as when run alone.
    for (RecordingListener good : List.of(before, after)) {
      Engine alone = engine(64, 256, 0);
      RecordingListener serial = new RecordingListener();
      alone.submit(job(good == before ? 1 : 3, 2, 6, 0, serial));
      drain(alone);
      assertArrayEquals(serial.finalStates[0], good.finalStates[0]);
      assertArrayEquals(serial.finalStates[1], good.finalStates[1]);
    }
  }

  @Test
  void nonFiniteOutputFailsOnlyItsJob() {
    Engine e = engine(64, 256, 0);
    RecordingListener good = new RecordingListener();
    RecordingListener bad = new RecordingListener();
    List<Trajectory> nan = trajectories(7, 1, 6);
    network.nanTrigger = (float) nan.get(0).query()[0];
    e.submit(new Job(nan, null, 0, Job.NO_DEADLINE, bad));
    e.submit(job(8, 2, 6, 0, good));
    drain(e);
    assertInstanceOf(NetworkFailure.class, bad.error);
    assertTrue(bad.error.getMessage().contains("non-finite"), bad.error.getMessage());
    assertNotNull(good.finalStates);
    assertEquals(0, e.activeRows());
  }
}
