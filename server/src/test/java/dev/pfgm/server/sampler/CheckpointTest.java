package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

/**
 * Resume is exact: a solve stopped at any step boundary and resumed ends on the same bytes and NFE,
 * with noise injection too (the checkpoint holds the sample's random stream). RK45: {@link
 * Rk45CheckpointTest}.
 */
class CheckpointTest {

  private static final Schedule SCHEDULE = Schedule.edm(18, 0.002, 80, 7);
  private static final Denoiser FIELD =
      new ExactField(new double[][] {{0.5, -0.25, 1}, {-1, 1, 0}, {0, 0.75, -0.5}}, 8);
  private static final double[] X0 = {31.25, -17.5, 60.125};
  private static final double ALPHA = 0.2;

  @Test
  void resumingFromEveryStepBoundaryEndsOnTheSameBytesAndNfe() {
    for (SolverKind solver : new SolverKind[] {SolverKind.HEUN, SolverKind.EULER}) {
      Trajectory whole = new Trajectory(solver, SCHEDULE, X0);
      run(whole, Integer.MAX_VALUE);
      for (int stop = 0; stop <= SCHEDULE.steps(); stop++) {
        Trajectory first = new Trajectory(solver, SCHEDULE, X0);
        run(first, stop);
        Trajectory resumed = Trajectory.resume(solver, SCHEDULE, first.checkpoint());
        assertEquals(stop, resumed.completedSteps());
        run(resumed, Integer.MAX_VALUE);
        assertArrayEquals(whole.state(), resumed.state(), solver + " stopped after " + stop);
        assertEquals(whole.nfe(), resumed.nfe(), solver + " stopped after " + stop);
      }
    }
  }

  @Test
  void aHalfDoneHeunStepIsNotInTheCheckpoint() {
    Trajectory t = new Trajectory(SolverKind.HEUN, SCHEDULE, X0);
    run(t, 3);
    double[] atBoundary = t.state().clone();
    t.supply(FIELD.denoise(t.query().clone(), t.querySigma())); // the predictor of step 3 only
    Checkpoint c = t.checkpoint();
    assertEquals(3, c.step());
    assertEquals(6, c.nfe()); // 2 per full Heun step; the pending predictor is done again
    assertArrayEquals(atBoundary, c.x());
    Trajectory resumed = Trajectory.resume(SolverKind.HEUN, SCHEDULE, c);
    assertEquals(SCHEDULE.sigma(3), resumed.querySigma()); // the predictor again, at sigma_3
  }

  @Test
  void restoreMirrorsAStateAndItsDenoisedEstimate() {
    Trajectory solved = new Trajectory(SolverKind.HEUN, SCHEDULE, X0);
    run(solved, 7);
    Trajectory mirror = new Trajectory(SolverKind.HEUN, SCHEDULE, X0);
    mirror.restore(solved.checkpoint(), solved.lastDenoised());
    assertArrayEquals(solved.state(), mirror.state());
    assertArrayEquals(solved.lastDenoised(), mirror.lastDenoised());
    assertEquals(solved.nfe(), mirror.nfe());
    assertEquals(7, mirror.completedSteps());
  }

  @Test
  void aCheckpointOfAnotherShapeOrBeyondTheScheduleIsRefused() {
    Trajectory t = new Trajectory(SolverKind.EULER, SCHEDULE, X0);
    assertEquals(
        "checkpoint x must have length 3, was 2",
        assertThrows(
                IllegalArgumentException.class,
                () -> t.restore(new Checkpoint(1, 1, new double[] {1, 2}), null))
            .getMessage());
    assertEquals(
        "checkpoint step must be in 0..18, was 19",
        assertThrows(
                IllegalArgumentException.class,
                () -> Trajectory.resume(SolverKind.EULER, SCHEDULE, new Checkpoint(19, 19, X0)))
            .getMessage());
  }

  @Test
  void aNoisyTrajectoryResumedFromEveryStepBoundaryEndsOnTheSameBytesAndNfe() {
    for (SolverKind solver : new SolverKind[] {SolverKind.HEUN, SolverKind.EULER}) {
      Trajectory whole = noisy(solver);
      run(whole, Integer.MAX_VALUE);
      for (int stop = 0; stop <= SCHEDULE.steps(); stop++) {
        Trajectory first = noisy(solver);
        run(first, stop);
        Checkpoint c = first.checkpoint();
        // XO_RO_SHI_RO_128_PP: two longs of state and two of cached bits, whatever the step.
        assertEquals(32, c.rng().length);
        Trajectory resumed = Trajectory.resume(solver, SCHEDULE, c, ALPHA);
        run(resumed, Integer.MAX_VALUE);
        assertArrayEquals(whole.state(), resumed.state(), solver + " stopped after " + stop);
        assertEquals(whole.nfe(), resumed.nfe(), solver + " stopped after " + stop);
      }
    }
    // The noise matters: without it the path is another one (both end on a data point).
    Trajectory quiet = new Trajectory(SolverKind.HEUN, SCHEDULE, X0);
    run(quiet, 5);
    Trajectory loud = noisy(SolverKind.HEUN);
    run(loud, 5);
    assertNotEquals(quiet.state()[0], loud.state()[0]);
  }

  @Test
  void aHalfDoneNoisyHeunStepKeepsItsNoiseAndDrawsItOnce() {
    Trajectory whole = noisy(SolverKind.HEUN);
    run(whole, Integer.MAX_VALUE);
    Trajectory t = noisy(SolverKind.HEUN);
    run(t, 3);
    t.supply(FIELD.denoise(t.query().clone(), t.querySigma())); // step 3's noise and predictor
    Checkpoint c = t.checkpoint();
    assertEquals(3, c.step());
    assertEquals(6, c.nfe());
    assertTrue(c.noiseAdded());
    assertArrayEquals(t.state(), c.x()); // x with step 3's noise in it
    Trajectory resumed = Trajectory.resume(SolverKind.HEUN, SCHEDULE, c, ALPHA);
    run(resumed, Integer.MAX_VALUE);
    assertArrayEquals(whole.state(), resumed.state());
    assertEquals(whole.nfe(), resumed.nfe());
  }

  @Test
  void aNoisyMirrorRestoredFromACheckpointCheckpointsTheSameStream() {
    Trajectory solved = noisy(SolverKind.EULER);
    run(solved, 9);
    Trajectory mirror = noisy(SolverKind.EULER); // its stream at step 0
    mirror.restore(solved.checkpoint(), null);
    Checkpoint again = mirror.checkpoint();
    assertArrayEquals(solved.checkpoint().rng(), again.rng());
    Trajectory whole = noisy(SolverKind.EULER);
    run(whole, Integer.MAX_VALUE);
    Trajectory resumed = Trajectory.resume(SolverKind.EULER, SCHEDULE, again, ALPHA);
    run(resumed, Integer.MAX_VALUE);
    assertArrayEquals(whole.state(), resumed.state());
  }

  @Test
  void aCheckpointAndANoiseSettingThatDisagreeAreRefused() {
    Trajectory quiet = new Trajectory(SolverKind.HEUN, SCHEDULE, X0);
    assertThrows(
        IllegalArgumentException.class,
        () -> Trajectory.resume(SolverKind.HEUN, SCHEDULE, quiet.checkpoint(), ALPHA));
    assertThrows(
        IllegalArgumentException.class,
        () -> Trajectory.resume(SolverKind.HEUN, SCHEDULE, noisy(SolverKind.HEUN).checkpoint()));
  }

  @Test
  void aNoisyTrajectoryOnAStreamThatCannotSaveItsStateIsNotCheckpointed() {
    UniformRandomProvider plain = SampleSeeds.rng(7)::nextLong; // not restorable
    Trajectory t = new Trajectory(SolverKind.HEUN, SCHEDULE, X0, ALPHA, plain);
    assertEquals(false, t.checkpointable());
    assertThrows(IllegalStateException.class, t::checkpoint);
    assertEquals(true, noisy(SolverKind.HEUN).checkpointable());
  }

  @Test
  void aScheduleSentAsItsValuesIsTheSameSchedule() {
    assertEquals(SCHEDULE, Schedule.of(SCHEDULE.sigmas()));
    assertThrows(IllegalArgumentException.class, () -> Schedule.of(new double[] {1, 2, 0}));
    assertThrows(IllegalArgumentException.class, () -> Schedule.of(new double[] {1, 0.5}));
  }

  /** A trajectory with noise injection on seed 7's stream (as a server builds it). */
  private static Trajectory noisy(SolverKind solver) {
    return new Trajectory(solver, SCHEDULE, X0, ALPHA, SampleSeeds.rng(7));
  }

  /** Steps until {@code steps} are complete or the trajectory is done. */
  private static void run(Trajectory t, int steps) {
    while (!t.done() && t.completedSteps() < steps) {
      t.supply(FIELD.denoise(t.query().clone(), t.querySigma()));
    }
  }
}
