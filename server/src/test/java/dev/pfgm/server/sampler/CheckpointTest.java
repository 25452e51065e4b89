package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Resume is exact: a solve stopped at any step boundary and resumed ends on the same bytes. */
class CheckpointTest {

  private static final Schedule SCHEDULE = Schedule.edm(18, 0.002, 80, 7);
  private static final Denoiser FIELD =
      new ExactField(new double[][] {{0.5, -0.25, 1}, {-1, 1, 0}, {0, 0.75, -0.5}}, 8);
  private static final double[] X0 = {31.25, -17.5, 60.125};

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
  void aTrajectoryWithNoiseInjectionIsNotCheckpointed() {
    Trajectory noisy =
        new Trajectory(SolverKind.HEUN, SCHEDULE, X0, 0.1, SampleSeeds.rng(7)); // RNG state
    assertEquals(false, noisy.checkpointable());
    assertThrows(IllegalStateException.class, noisy::checkpoint);
    assertEquals(true, new Trajectory(SolverKind.HEUN, SCHEDULE, X0).checkpointable());
  }

  @Test
  void aScheduleSentAsItsValuesIsTheSameSchedule() {
    assertEquals(SCHEDULE, Schedule.of(SCHEDULE.sigmas()));
    assertThrows(IllegalArgumentException.class, () -> Schedule.of(new double[] {1, 2, 0}));
    assertThrows(IllegalArgumentException.class, () -> Schedule.of(new double[] {1, 0.5}));
  }

  /** Steps until {@code steps} are complete or the trajectory is done. */
  private static void run(Trajectory t, int steps) {
    while (!t.done() && t.completedSteps() < steps) {
      t.supply(FIELD.denoise(t.query().clone(), t.querySigma()));
    }
  }
}
