package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.junit.jupiter.api.Test;

/** x <- x + alpha sigma_i eps before each step, eps from the sample's stream after the prior. */
class NoiseInjectionTest {

  private static final Schedule SCHEDULE = Schedule.edm(9, 0.002, 80, 7);
  private static final Denoiser LINEAR = Rk45TrajectoryTest.LINEAR;

  private static double[] run(SolverKind solver, double alpha, long seed) {
    UniformRandomProvider rng = SampleSeeds.rng(seed);
    double[] x0 = Prior.of(Double.POSITIVE_INFINITY, 3, 80).sample(rng);
    Trajectory t = new Trajectory(solver, SCHEDULE, x0, alpha, rng);
    while (!t.done()) {
      t.query(); // twice: the noise goes in once per step
      t.supply(LINEAR.denoise(t.query().clone(), t.querySigma()));
    }
    return t.state().clone();
  }

  /**
   * The documented draw order, written out: prior, then per step 3 normals, then Euler. (A constant
   * D would hide everything: Euler's last step lands on D whatever x was.)
   */
  @Test
  void eulerWithNoiseFollowsTheDocumentedDrawOrderExactly() {
    double alpha = 0.2;
    UniformRandomProvider rng = SampleSeeds.rng(42);
    double[] x = Prior.of(Double.POSITIVE_INFINITY, 3, 80).sample(rng);
    ZigguratSampler.NormalizedGaussian eps = ZigguratSampler.NormalizedGaussian.of(rng);
    for (int i = 0; i < SCHEDULE.steps(); i++) {
      double sigma = SCHEDULE.sigma(i);
      for (int k = 0; k < 3; k++) {
        x[k] += alpha * sigma * eps.sample();
      }
      double h = SCHEDULE.sigma(i + 1) - sigma;
      double[] d = LINEAR.denoise(x, sigma);
      for (int k = 0; k < 3; k++) {
        x[k] = x[k] + h * ((x[k] - d[k]) / sigma);
      }
    }
    assertArrayEquals(x, run(SolverKind.EULER, alpha, 42));
  }

  @Test
  void reproducibleBySeedAndOffAtZero() {
    for (SolverKind solver : new SolverKind[] {SolverKind.HEUN, SolverKind.EULER}) {
      assertArrayEquals(run(solver, 0.1, 7), run(solver, 0.1, 7));
      assertFalse(Arrays.equals(run(solver, 0.1, 7), run(solver, 0.1, 8)));
      assertFalse(Arrays.equals(run(solver, 0.1, 7), run(solver, 0, 7)));
      // alpha = 0 is the plain solver: same bytes.
      UniformRandomProvider rng = SampleSeeds.rng(7);
      double[] x0 = Prior.of(Double.POSITIVE_INFINITY, 3, 80).sample(rng);
      assertArrayEquals(Solvers.solve(solver, SCHEDULE, x0, LINEAR), run(solver, 0, 7));
    }
  }

  @Test
  void alphaIsValidated() {
    double[] x0 = {1, 2, 3};
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Trajectory(SolverKind.HEUN, SCHEDULE, x0, 1.5, SampleSeeds.rng(1)));
    assertEquals("noiseInjection must be in [0, 1], was 1.5", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new Trajectory(SolverKind.HEUN, SCHEDULE, x0, 0.1, null));
  }
}
