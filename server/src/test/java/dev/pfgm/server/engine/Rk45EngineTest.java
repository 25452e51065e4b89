package dev.pfgm.server.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.server.sampler.Prior;
import dev.pfgm.server.sampler.Rk45Settings;
import dev.pfgm.server.sampler.Rk45Trajectory;
import dev.pfgm.server.sampler.SampleSeeds;
import dev.pfgm.server.sampler.SampleSolve;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import dev.pfgm.server.sampler.Trajectory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** RK45 rows in the step-level batching: shared calls, per-row sigma, events, the trial cap. */
class Rk45EngineTest {

  static final int N = 16;
  static final int CLASSES = 10;
  final AtomicLong clock = new AtomicLong();

  /**
   * The conditional fake pulls every row to its own class's mean at its own sigma, and each RK45
   * sample's step sizes follow from its own field values: a row packed with another row's x, sigma
   * or label, or given another row's output, changes that sample's steps and its bytes.
   */
  final FakeNetwork network = new FakeNetwork(N, CLASSES);

  static List<SampleSolve> rk45(long seed, int samples, double tol, int maxTrials) {
    Prior prior = Prior.of(Double.POSITIVE_INFINITY, N, 80);
    List<SampleSolve> out = new ArrayList<>();
    for (int i = 0; i < samples; i++) {
      out.add(
          new Rk45Trajectory(
              new Rk45Settings(0.002, 80, tol, tol, maxTrials),
              prior.sample(SampleSeeds.rng(seed + i))));
    }
    return out;
  }

  static List<SampleSolve> heun(long seed, int samples, int steps) {
    Prior prior = Prior.of(Double.POSITIVE_INFINITY, N, 80);
    List<SampleSolve> out = new ArrayList<>();
    for (int i = 0; i < samples; i++) {
      out.add(
          new Trajectory(
              SolverKind.HEUN,
              Schedule.edm(steps, 0.002, 80, 7),
              prior.sample(SampleSeeds.rng(seed + i))));
    }
    return out;
  }

  /** [rows × CLASSES] one-hot rows, all of class c. */
  static float[] oneHot(int c, int rows) {
    float[] v = new float[rows * CLASSES];
    for (int r = 0; r < rows; r++) {
      v[r * CLASSES + c] = 1;
    }
    return v;
  }

  /** Job j: RK45 (3 samples, its own tolerance) for even j, Heun for odd j; class j % 10. */
  static Job job(int j, int previewEvery, RecordingListener l) {
    List<SampleSolve> samples =
        j % 2 == 0
            ? rk45(5000 + 10L * j, 3, Math.pow(10, -2 - j % 5), 1000)
            : heun(5000 + 10L * j, 2, 6 + j % 4);
    return new Job(samples, oneHot(j % CLASSES, samples.size()), previewEvery, Job.NO_DEADLINE, l);
  }

  @Test
  void rk45RowsShareCallsWithEveryoneAndEndOnTheBytesOfTheirSerialRuns() {
    List<double[][]> alone = new ArrayList<>();
    for (int j = 0; j < 20; j++) {
      Engine serial = new Engine(network, new EngineLimits(64, 256, 0), clock::get);
      RecordingListener l = new RecordingListener();
      serial.submit(job(j, 0, l));
      EngineTest.drain(serial);
      alone.add(l.finalStates);
    }
    network.calls.clear();
    // Batches of 7 rows: jobs are split across calls and rows land at different positions.
    for (int maxBatch : new int[] {64, 7}) {
      Engine together = new Engine(network, new EngineLimits(maxBatch, 256, 0), clock::get);
      List<RecordingListener> ls = new ArrayList<>();
      for (int j = 0; j < 20; j++) {
        RecordingListener l = new RecordingListener();
        ls.add(l);
        together.submit(job(j, 0, l));
        together.tick(); // each joins while the others are mid-flight
      }
      EngineTest.drain(together);
      for (int j = 0; j < 20; j++) {
        for (int i = 0; i < alone.get(j).length; i++) {
          double[] x = ls.get(j).finalStates[i];
          assertArrayEquals(alone.get(j)[i], x, "batch " + maxBatch + " job " + j + " sample " + i);
          double mean = java.util.Arrays.stream(x).average().orElseThrow();
          assertEquals(FakeNetwork.CLASS_SPACING * (j % CLASSES), mean, 0.6, "job " + j);
        }
      }
    }
    // Calls really mixed rows at different sigmas (RK45 stages next to Heun steps).
    int mixed = 0;
    for (FakeNetwork.Call call : network.calls) {
      Set<Float> sigmas = new HashSet<>();
      for (float s : call.sigma()) {
        sigmas.add(s);
      }
      mixed += sigmas.size() > 2 ? 1 : 0;
    }
    assertTrue(mixed > 10, "calls with more than two distinct sigmas: " + mixed);
  }

  @Test
  void everyAcceptedStepIsAnEventWithFallingSigmaAndTheLastEndsAtZero() {
    Engine engine = new Engine(network, new EngineLimits(64, 256, 0), clock::get);
    List<StepView> views = new ArrayList<>();
    List<Integer> nfes = new ArrayList<>();
    List<Double> sigmas = new ArrayList<>();
    CompletedView[] done = new CompletedView[1];
    RecordingListener l =
        new RecordingListener() {
          @Override
          public void step(StepView step) {
            super.step(step);
            assertEquals(views.size(), step.index());
            views.add(step);
            nfes.add(step.nfe());
            sigmas.add(step.sigma());
          }

          @Override
          public void completed(CompletedView result) {
            super.completed(result);
            done[0] = result;
          }
        };
    List<SampleSolve> samples = rk45(77, 1, 1e-5, 1000);
    engine.submit(new Job(samples, oneHot(3, 1), 1, Job.NO_DEADLINE, l));
    EngineTest.drain(engine);
    SampleSolve s = samples.get(0);
    assertEquals(s.completedSteps(), views.size(), "one event per accepted step");
    for (int i = 1; i < sigmas.size(); i++) {
      assertTrue(sigmas.get(i) < sigmas.get(i - 1), "sigma falls: " + sigmas);
      assertTrue(nfes.get(i) > nfes.get(i - 1), "nfe grows: " + nfes);
    }
    assertEquals(0.0, sigmas.get(sigmas.size() - 1));
    assertEquals(s.nfe(), done[0].nfe());
    assertEquals(s.rejectedSteps(), done[0].rejectedSteps());
    assertEquals(2 + 6 * (s.completedSteps() + s.rejectedSteps()), s.nfe());
  }

  @Test
  void aJobAtItsTrialLimitFailsAloneWithTheReason() {
    Engine engine = new Engine(network, new EngineLimits(64, 256, 0), clock::get);
    RecordingListener tight = new RecordingListener();
    RecordingListener fine = new RecordingListener();
    engine.submit(new Job(rk45(1, 2, 1e-6, 4), oneHot(1, 2), 1, Job.NO_DEADLINE, tight));
    engine.submit(new Job(rk45(9, 2, 1e-3, 1000), oneHot(2, 2), 1, Job.NO_DEADLINE, fine));
    EngineTest.drain(engine);
    SolveLimitReached e = assertInstanceOf(SolveLimitReached.class, tight.error);
    assertTrue(
        e.getMessage().startsWith("RK45 reached its limit of 4 trial steps"), e.getMessage());
    assertEquals("failed SolveLimitReached", tight.events.get(tight.events.size() - 1));
    assertTrue(fine.finalStates != null && fine.error == null);
    assertEquals(0, engine.activeRows());
  }
}
