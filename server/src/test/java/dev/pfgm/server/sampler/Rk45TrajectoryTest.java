package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** RK45 against the closed form of the linear Gaussian denoiser, and its step machine's rules. */
class Rk45TrajectoryTest {

  static final double SIGMA_DATA = 0.5;
  static final double SIGMA_MIN = 0.002;
  static final double SIGMA_MAX = 80;

  /** A prior-sized start: |x0_i| up to about sigmaMax. */
  static final double[] X0 = {24, -88, 56, -16, 3, 71};

  /** D = x sd^2/(sigma^2 + sd^2): the exact denoiser of N(0, sd^2). */
  static final Denoiser LINEAR =
      (x, sigma) -> {
        double c = SIGMA_DATA * SIGMA_DATA / (sigma * sigma + SIGMA_DATA * SIGMA_DATA);
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          d[i] = c * x[i];
        }
        return d;
      };

  /**
   * The exact final sample: x(sigmaMin) = x0 sqrt((sigmaMin^2 + sd^2)/(sigmaMax^2 + sd^2)), then
   * the final denoise D(x(sigmaMin), sigmaMin) that every solver ends with.
   */
  static double[] exactFinal(double[] x0) {
    double s2 = SIGMA_DATA * SIGMA_DATA;
    double ratio =
        Math.sqrt((SIGMA_MIN * SIGMA_MIN + s2) / (SIGMA_MAX * SIGMA_MAX + s2))
            * s2
            / (SIGMA_MIN * SIGMA_MIN + s2);
    double[] out = new double[x0.length];
    for (int i = 0; i < x0.length; i++) {
      out[i] = x0[i] * ratio;
    }
    return out;
  }

  static Rk45Trajectory solve(double tol, Denoiser field, double[] x0, int maxTrials) {
    Rk45Trajectory t =
        new Rk45Trajectory(new Rk45Settings(SIGMA_MIN, SIGMA_MAX, tol, tol, maxTrials), x0);
    while (!t.done()) {
      t.supply(field.denoise(t.query().clone(), t.querySigma()));
    }
    return t;
  }

  /** Max over elements of |error| / (atol + rtol |exact|). */
  static double scaledError(double tol, double[] got, double[] exact) {
    double worst = 0;
    for (int i = 0; i < got.length; i++) {
      worst = Math.max(worst, Math.abs(got[i] - exact[i]) / (tol + tol * Math.abs(exact[i])));
    }
    return worst;
  }

  /**
   * The controller bounds the local error per step; the global error of this contracting ODE stays
   * within a small multiple of the tolerance (at most 1.3 observed over these tolerances).
   */
  @Test
  void globalErrorOnTheLinearGaussianStaysWithinTheTolerance() {
    double[] exact = exactFinal(X0);
    for (double tol : new double[] {1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8}) {
      double e = scaledError(tol, solve(tol, LINEAR, X0, 1000).state(), exact);
      assertTrue(e < 3, "tol " + tol + ": error " + e + " tolerances");
    }
  }

  /**
   * Heun with 18 rho-schedule steps (35 NFE, the shipped default) ends 5.5 % off the closed form
   * here; RK45 at rtol = atol = 1e-2 does better (3.6 %) in 44 evaluations (docs/solvers.md).
   */
  @Test
  void rk45MatchesHeunAt35EvaluationsWithinFiftyEvaluations() {
    double[] exact = exactFinal(X0);
    double[] heun =
        Solvers.solve(SolverKind.HEUN, Schedule.edm(18, SIGMA_MIN, SIGMA_MAX, 7), X0, LINEAR);
    Rk45Trajectory rk45 = solve(1e-2, LINEAR, X0, 1000);
    assertTrue(relative(rk45.state(), exact) < relative(heun, exact));
    assertTrue(rk45.nfe() <= 50, "nfe " + rk45.nfe());
  }

  static double relative(double[] got, double[] exact) {
    double worst = 0;
    for (int i = 0; i < got.length; i++) {
      worst = Math.max(worst, Math.abs(got[i] - exact[i]) / Math.abs(exact[i]));
    }
    return worst;
  }

  @Test
  void nfeFallsAsTheToleranceLoosens() {
    int previous = Integer.MAX_VALUE;
    for (double tol : new double[] {1e-9, 1e-7, 1e-5, 1e-3, 1e-1}) {
      int nfe = solve(tol, LINEAR, X0, 1000).nfe();
      assertTrue(nfe < previous, "tol " + tol + ": nfe " + nfe + " not below " + previous);
      previous = nfe;
    }
  }

  @Test
  void everyEvaluationIsCountedAndEndsExactlyAtSigmaMinThenZero() {
    Rk45Trajectory t =
        new Rk45Trajectory(new Rk45Settings(SIGMA_MIN, SIGMA_MAX, 1e-4, 1e-4, 1000), X0);
    assertEquals(SIGMA_MAX, t.sigma());
    assertEquals(SIGMA_MAX, t.querySigma());
    int accepted = 0;
    double lastQuerySigma = 0;
    double previousSigma = SIGMA_MAX;
    double[] lastD = null;
    while (!t.done()) {
      lastQuerySigma = t.querySigma();
      assertTrue(lastQuerySigma >= SIGMA_MIN && lastQuerySigma <= SIGMA_MAX, "" + lastQuerySigma);
      lastD = LINEAR.denoise(t.query().clone(), lastQuerySigma);
      if (t.supply(lastD)) {
        accepted++;
        assertEquals(accepted, t.completedSteps());
        assertTrue(t.sigma() < previousSigma, "sigma decreases at each accepted step");
        previousSigma = t.sigma();
      }
    }
    assertEquals(SIGMA_MIN, lastQuerySigma, "the last evaluation is at sigmaMin itself");
    assertEquals(0, t.sigma());
    assertArrayEquals(lastD, t.state(), "the final sample is D(x(sigmaMin), sigmaMin)");
    assertEquals(2 + 6 * (t.completedSteps() + t.rejectedSteps()), t.nfe());
    assertThrows(IllegalStateException.class, t::query);
  }

  /** Exact fields change abruptly at small sigma: the controller must reject and recover. */
  @Test
  void theExactFieldLandsOnADataPointWithRejectedTrialsCounted() {
    double[][] data = {{0.5, -0.25, 0.75, -1}, {-1, 1, 0, 0.5}, {0, 0.75, -0.5, 0.25}};
    int rejected = 0;
    for (double augmentDim : new double[] {1, 8, 128, Double.POSITIVE_INFINITY}) {
      ExactField field = new ExactField(data, augmentDim);
      Prior prior = Prior.of(augmentDim, 4, SIGMA_MAX);
      for (long seed = 1; seed <= 16; seed++) {
        double tol = seed % 2 == 0 ? 1e-2 : 1e-6;
        Rk45Trajectory t = solve(tol, field, prior.sample(SampleSeeds.rng(seed)), 1000);
        double nearest = Double.MAX_VALUE;
        for (double[] y : data) {
          double d2 = 0;
          for (int i = 0; i < y.length; i++) {
            d2 += (t.state()[i] - y[i]) * (t.state()[i] - y[i]);
          }
          nearest = Math.min(nearest, Math.sqrt(d2));
        }
        // Within the tolerance of a data point (1e-3 for the tight one).
        assertTrue(
            nearest < Math.max(1e-3, tol), "D=" + augmentDim + " seed " + seed + ": " + nearest);
        assertEquals(2 + 6 * (t.completedSteps() + t.rejectedSteps()), t.nfe());
        rejected += t.rejectedSteps();
      }
    }
    assertTrue(rejected > 0, "no trial was rejected in 64 solves");
  }

  @Test
  void aTooTightToleranceStopsAtTheTrialLimitWithAClearMessage() {
    var e = assertThrows(IllegalStateException.class, () -> solve(1e-8, LINEAR, X0, 5));
    assertTrue(
        e.getMessage().startsWith("RK45 reached its limit of 5 trial steps at sigma "),
        e.getMessage());
    assertTrue(e.getMessage().contains("loosen rtol/atol"), e.getMessage());
  }

  @Test
  void resumingFromACheckpointAtAnAcceptedStepEndsOnTheSameBytes() {
    Rk45Settings settings = new Rk45Settings(SIGMA_MIN, SIGMA_MAX, 1e-4, 1e-4, 1000);
    Rk45Trajectory whole = solve(1e-4, LINEAR, X0, 1000);
    for (int at : new int[] {0, 1, 5, whole.completedSteps() - 1}) {
      Rk45Trajectory first = new Rk45Trajectory(settings, X0);
      Rk45Trajectory.Checkpoint cp = first.checkpoint();
      while (first.completedSteps() < at) {
        if (first.supply(LINEAR.denoise(first.query().clone(), first.querySigma()))) {
          cp = first.checkpoint();
        }
      }
      Rk45Trajectory resumed = Rk45Trajectory.resume(settings, cp);
      assertEquals(at, resumed.completedSteps());
      while (!resumed.done()) {
        resumed.supply(LINEAR.denoise(resumed.query().clone(), resumed.querySigma()));
      }
      assertArrayEquals(whole.state(), resumed.state(), "resumed at step " + at);
      assertEquals(whole.completedSteps(), resumed.completedSteps());
      // Resuming re-evaluates the first stage: one evaluation more (none at step 0).
      assertEquals(whole.nfe() + (at > 0 ? 1 : 0), resumed.nfe(), "at " + at);
    }
  }

  @Test
  void settingsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> new Rk45Settings(0, 80, 1e-3, 1e-3, 10));
    assertThrows(IllegalArgumentException.class, () -> new Rk45Settings(1, 1, 1e-3, 1e-3, 10));
    assertThrows(IllegalArgumentException.class, () -> new Rk45Settings(1, 2, 0, 1e-3, 10));
    assertThrows(IllegalArgumentException.class, () -> new Rk45Settings(1, 2, 1e-3, -1, 10));
    assertThrows(IllegalArgumentException.class, () -> new Rk45Settings(1, 2, 1e-3, 1e-3, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Trajectory(SolverKind.RK45, Schedule.edm(4, 1, 2, 7), new double[] {1}));
  }
}
