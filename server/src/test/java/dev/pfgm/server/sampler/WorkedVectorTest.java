package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The worked vectors of DESIGN §1 (N = 4, n = 18, Heun, exact field of three points), copied here.
 * "After step k" counts steps from 0: the state once step index k is complete, that is
 * completedSteps() == k + 1 (after step 10 is completedSteps() == 11).
 */
class WorkedVectorTest {

  private static final double[][] DATA = {
    {0.5, -0.25, 0.75, -1}, {-0.5, 0.5, 0, 0.25}, {1, 1, -1, -0.5}
  };
  private static final Schedule SCHEDULE = Schedule.edm(18, 0.002, 80, 7);

  @Test
  void heunWithExactFieldForD8ReproducesWorkedVectorAfterSteps0And10AndAtTheEnd() {
    double[] x0 = {48.705243785456744, 97.41048757091349, -97.41048757091349, 24.352621892728372};
    double[][] states = run(new ExactField(DATA, 8), x0);
    assertClose(
        new double[] {35.15486715512341, 70.23917020547216, -70.14750751971802, 17.413981316755486},
        states[1]);
    assertClose(
        new double[] {
          1.183150051346519, 1.5903451292363036, -1.5166519918383194, -0.27658894549341173
        },
        states[11]);
    assertClose(new double[] {1, 1, -1, -0.5}, states[18]);
  }

  @Test
  void heunWithExactFieldForDiffusionReproducesWorkedVectorAfterStep0AndAtTheEnd() {
    double[] x0 = {24, -96, 56, 8};
    double[][] states = run(new ExactField(DATA, Double.POSITIVE_INFINITY), x0);
    assertClose(
        new double[] {
          17.368662496742814, -68.98883623707977, 40.290093367387506, 5.640584660306072
        },
        states[1]);
    assertClose(new double[] {0.5, -0.25, 0.75, -1}, states[18]);
  }

  /** States indexed by completedSteps(), 0..n. */
  private static double[][] run(Denoiser field, double[] x0) {
    Trajectory trajectory = new Trajectory(SolverKind.HEUN, SCHEDULE, x0);
    double[][] states = new double[SCHEDULE.steps() + 1][]; // [n+1][N]
    states[0] = trajectory.state().clone();
    while (!trajectory.done()) {
      if (trajectory.supply(field.denoise(trajectory.query(), trajectory.querySigma()))) {
        states[trajectory.completedSteps()] = trajectory.state().clone();
      }
    }
    assertEquals(35, trajectory.nfe());
    return states;
  }

  /** Relative 1e-12 for entries above 1 in magnitude, absolute 1e-12 otherwise. */
  private static void assertClose(double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length);
    for (int k = 0; k < expected.length; k++) {
      double tolerance = 1e-12 * Math.max(1, Math.abs(expected[k]));
      assertEquals(expected[k], actual[k], tolerance, "x[" + k + "]");
    }
  }
}
