package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrajectoryTest {

  private static final Schedule SCHEDULE = Schedule.edm(18, 0.002, 80, 7);
  private static final Denoiser FIELD =
      new ExactField(new double[][] {{0.5, -0.25}, {-1, 1}, {0, 0.75}}, 8);

  @Test
  void nfeIsTwoNMinusOneForHeunAndNForEuler() {
    assertEquals(35, SolverKind.HEUN.nfe(18));
    assertEquals(18, SolverKind.EULER.nfe(18));
    assertEquals(1, SolverKind.HEUN.nfe(1));
    assertEquals(1, SolverKind.EULER.nfe(1));
    assertEquals(
        "steps must be >= 1, was 0",
        assertThrows(IllegalArgumentException.class, () -> SolverKind.HEUN.nfe(0)).getMessage());
    for (SolverKind solver : new SolverKind[] {SolverKind.HEUN, SolverKind.EULER}) {
      for (int steps : new int[] {1, 2, 18}) {
        Trajectory trajectory = runToEnd(solver, Schedule.edm(steps, 0.002, 80, 7));
        assertEquals(solver.nfe(steps), trajectory.nfe(), solver + " n=" + steps);
        assertEquals(steps, trajectory.completedSteps());
      }
    }
  }

  @Test
  void heunQueriesAlternatePredictorAtSigmaIAndCorrectorAtSigmaNext() {
    Trajectory trajectory = new Trajectory(SolverKind.HEUN, SCHEDULE, new double[] {3, -4});
    for (int i = 0; i < SCHEDULE.steps(); i++) {
      assertEquals(SCHEDULE.sigma(i), trajectory.querySigma());
      assertArrayEquals(trajectory.state(), trajectory.query());
      boolean last = i == SCHEDULE.steps() - 1;
      double[] denoised = FIELD.denoise(trajectory.query(), trajectory.querySigma());
      assertEquals(last, trajectory.supply(denoised));
      if (!last) {
        assertEquals(SCHEDULE.sigma(i + 1), trajectory.querySigma());
        assertEquals(i, trajectory.completedSteps());
        assertTrue(trajectory.supply(FIELD.denoise(trajectory.query(), trajectory.querySigma())));
      }
      assertEquals(i + 1, trajectory.completedSteps());
    }
    assertTrue(trajectory.done());
  }

  @Test
  void eulerCompletesAStepOnEverySupply() {
    Trajectory trajectory = new Trajectory(SolverKind.EULER, SCHEDULE, new double[] {3, -4});
    for (int i = 0; i < SCHEDULE.steps(); i++) {
      assertEquals(SCHEDULE.sigma(i), trajectory.querySigma());
      assertTrue(trajectory.supply(FIELD.denoise(trajectory.query(), trajectory.querySigma())));
    }
    assertTrue(trajectory.done());
  }

  @Test
  void stepwiseTrajectoryEqualsTheSolversReference() {
    double[] x0 = {40, -75};
    for (SolverKind solver : new SolverKind[] {SolverKind.HEUN, SolverKind.EULER}) {
      Trajectory trajectory = runToEnd(solver, SCHEDULE, x0);
      assertArrayEquals(Solvers.solve(solver, SCHEDULE, x0, FIELD), trajectory.state());
    }
  }

  @Test
  void supplyAfterDoneThrowsIllegalState() {
    Trajectory trajectory = runToEnd(SolverKind.HEUN, SCHEDULE);
    assertThrows(IllegalStateException.class, () -> trajectory.supply(new double[2]));
    assertThrows(IllegalStateException.class, trajectory::query);
    assertThrows(IllegalStateException.class, trajectory::querySigma);
  }

  @Test
  void lastDenoisedIsNullBeforeTheFirstSupplyAndACopyAfter() {
    Trajectory trajectory = new Trajectory(SolverKind.HEUN, SCHEDULE, new double[] {1, 2});
    assertNull(trajectory.lastDenoised());
    double[] denoised = {0.5, 0.25};
    assertFalse(trajectory.supply(denoised));
    denoised[0] = 9;
    double[] view = trajectory.lastDenoised();
    assertArrayEquals(new double[] {0.5, 0.25}, view);
    // A live view: the next supply is copied into the same array (no allocation per evaluation).
    trajectory.supply(new double[] {0.125, 1});
    assertArrayEquals(new double[] {0.125, 1}, view);
  }

  @Test
  void x0IsCopiedAndWrongLengthsAreRejected() {
    double[] x0 = {1, 2};
    Trajectory trajectory = new Trajectory(SolverKind.EULER, SCHEDULE, x0);
    x0[0] = 7;
    assertEquals(1, trajectory.state()[0]);
    var e = assertThrows(IllegalArgumentException.class, () -> trajectory.supply(new double[3]));
    assertEquals("denoised must have length 2, was 3", e.getMessage());
    var none = assertThrows(IllegalArgumentException.class, () -> trajectory.supply(null));
    assertEquals("denoised must have length 2, was null", none.getMessage());
    assertEquals(0, trajectory.nfe());
    assertThrows(
        IllegalArgumentException.class,
        () -> new Trajectory(SolverKind.EULER, SCHEDULE, new double[0]));
  }

  @Test
  void missingPartsAreRejectedAtConstruction() {
    double[] x0 = {1, 2};
    assertThrows(IllegalArgumentException.class, () -> new Trajectory(null, SCHEDULE, x0));
    assertThrows(IllegalArgumentException.class, () -> new Trajectory(SolverKind.HEUN, null, x0));
    assertThrows(
        IllegalArgumentException.class, () -> new Trajectory(SolverKind.HEUN, SCHEDULE, null));
    Trajectory t = new Trajectory(SolverKind.HEUN, SCHEDULE, x0);
    assertSame(SolverKind.HEUN, t.solver());
    assertSame(SCHEDULE, t.schedule());
  }

  private static Trajectory runToEnd(SolverKind solver, Schedule schedule) {
    return runToEnd(solver, schedule, new double[] {30, -20});
  }

  private static Trajectory runToEnd(SolverKind solver, Schedule schedule, double[] x0) {
    Trajectory trajectory = new Trajectory(solver, schedule, x0);
    while (!trajectory.done()) {
      trajectory.supply(FIELD.denoise(trajectory.query(), trajectory.querySigma()));
    }
    return trajectory;
  }
}
