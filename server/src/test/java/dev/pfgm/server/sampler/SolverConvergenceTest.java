package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Solvers against closed-form solutions of dx/dsigma = (x - D(x, sigma))/sigma. */
class SolverConvergenceTest {

  private static final double SIGMA_DATA = 0.5;

  @Test
  void eulerIsExactForAConstantDenoiser() {
    assertExactForConstantDenoiser(SolverKind.EULER);
  }

  @Test
  void heunIsExactForAConstantDenoiser() {
    assertExactForConstantDenoiser(SolverKind.HEUN);
  }

  @Test
  void heunIsSecondOrderOnTheLinearGaussianDenoiser() {
    // Errors at sigma_{n-1} for 16, 32, 64, 128 intervals of the rho-schedule.
    double[] errors = {
      errorAtLastNonzeroSigma(SolverKind.HEUN, 17),
      errorAtLastNonzeroSigma(SolverKind.HEUN, 33),
      errorAtLastNonzeroSigma(SolverKind.HEUN, 65),
      errorAtLastNonzeroSigma(SolverKind.HEUN, 129)
    };
    assertRatiosIn(errors, 3.5, 4.5);
  }

  @Test
  void eulerIsFirstOrderOnTheLinearGaussianDenoiser() {
    double[] errors = {
      errorAtLastNonzeroSigma(SolverKind.EULER, 17),
      errorAtLastNonzeroSigma(SolverKind.EULER, 33),
      errorAtLastNonzeroSigma(SolverKind.EULER, 65),
      errorAtLastNonzeroSigma(SolverKind.EULER, 129)
    };
    assertRatiosIn(errors, 1.75, 2.25);
  }

  /** For D = c the solution is x(sigma) = c + (x0 - c) * sigma/sigma0, linear in sigma. */
  private static void assertExactForConstantDenoiser(SolverKind solver) {
    double[] c = {0.25, -0.5, 1};
    double[] x0 = {30, 70, -50};
    Schedule schedule = Schedule.edm(7, 0.002, 80, 7);
    Trajectory trajectory = new Trajectory(solver, schedule, x0);
    while (!trajectory.done()) {
      if (trajectory.supply(c.clone())) {
        double ratio = schedule.sigma(trajectory.completedSteps()) / schedule.sigma(0);
        for (int k = 0; k < c.length; k++) {
          double exact = c[k] + (x0[k] - c[k]) * ratio;
          assertEquals(exact, trajectory.state()[k], 1e-12 * Math.max(1, Math.abs(exact)));
        }
      }
    }
    for (int k = 0; k < c.length; k++) {
      assertEquals(c[k], trajectory.state()[k], 1e-12);
    }
  }

  /**
   * Relative error at sigma_{n-1} on D = x * sigmaData^2/(sigma^2 + sigmaData^2), whose exact
   * solution is x(sigma) = x0 * sqrt((sigma^2 + sigmaData^2)/(sigma0^2 + sigmaData^2)). The last
   * step to sigma = 0 is Euler only and would add an O(sigmaMin^2) bias, so it is not compared.
   */
  private static double errorAtLastNonzeroSigma(SolverKind solver, int steps) {
    Schedule schedule = Schedule.edm(steps, 0.002, 80, 7);
    Denoiser linear =
        (x, sigma) -> {
          double cSkip = SIGMA_DATA * SIGMA_DATA / (sigma * sigma + SIGMA_DATA * SIGMA_DATA);
          return new double[] {cSkip * x[0]};
        };
    Trajectory trajectory = new Trajectory(solver, schedule, new double[] {1});
    while (trajectory.completedSteps() < steps - 1) {
      trajectory.supply(linear.denoise(trajectory.query(), trajectory.querySigma()));
    }
    double sigma = schedule.sigma(steps - 1);
    double sigma0 = schedule.sigma(0);
    double exact =
        Math.sqrt(
            (sigma * sigma + SIGMA_DATA * SIGMA_DATA)
                / (sigma0 * sigma0 + SIGMA_DATA * SIGMA_DATA));
    return Math.abs(trajectory.state()[0] - exact) / exact;
  }

  private static void assertRatiosIn(double[] errors, double low, double high) {
    for (int j = 1; j < errors.length; j++) {
      double ratio = errors[j - 1] / errors[j];
      assertTrue(
          ratio >= low && ratio <= high,
          "error ratio " + j + " was " + ratio + ", errors " + java.util.Arrays.toString(errors));
    }
  }
}
