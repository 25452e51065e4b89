package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * RK45's step machine, evaluation by evaluation: where it asks for D on a one-element case worked
 * by hand, what supply returns, how it ends, and how it stops (trial limit, step-size underflow).
 */
class Rk45StepMachineTest {

  private static final double SD2 = 0.25; // sigma_data^2

  /** D = x sd^2/(sigma^2 + sd^2), the exact denoiser of N(0, sd^2). */
  private static final Denoiser LINEAR =
      (x, sigma) -> {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          d[i] = x[i] * SD2 / (sigma * sigma + SD2);
        }
        return d;
      };

  /**
   * x0 = 3 at sigma 2, rtol = atol = 0.01 (scale 0.04). f0 = 3 * 4/4.25. Probe: h0 = -0.01 d0/d1 =
   * -0.01 x0/f0 = -0.010625, at x0 + h0 f0 = 2.97. Then h = -(0.01 / max(d1, d2))^(1/5) with d2 =
   * |f1 - f0| / (|h0| 0.04), and stage 2 is at ln sigma + h/5, x0 + h/5 f0.
   */
  @Test
  void theFirstTrialFollowsTheHeuristicOnAOneElementCaseWorkedByHand() {
    Rk45Trajectory t =
        new Rk45Trajectory(new Rk45Settings(0.002, 2, 0.01, 0.01, 100), new double[] {3});
    assertEquals(2, t.querySigma());
    assertArrayEquals(new double[] {3}, t.query());
    assertEquals(false, t.supply(LINEAR.denoise(t.query().clone(), t.querySigma())));
    double f0 = 3 * 4 / 4.25;
    double h0 = -0.010625;
    assertEquals(2.97, t.query()[0], 1e-15);
    assertEquals(2 * Math.exp(h0), t.querySigma(), 1e-15);
    assertEquals(false, t.supply(LINEAR.denoise(t.query().clone(), t.querySigma())));
    double s1 = 4 * Math.exp(2 * h0); // sigma_1^2
    double f1 = 2.97 * s1 / (s1 + SD2);
    double d1 = f0 / 0.04;
    double d2 = Math.abs(f1 - f0) / (0.010625 * 0.04);
    double h = -Math.pow(0.01 / Math.max(d1, d2), 0.2);
    assertEquals(2 * Math.exp(h / 5), t.querySigma(), 1e-14);
    assertEquals(3 + h / 5 * f0, t.query()[0], 1e-14);
    assertEquals(2, t.nfe());
  }

  @Test
  void supplyIsTrueExactlyOnAcceptedStepsAndTheLastDenoisedIsTheLastSupply() {
    Denoiser field =
        new ExactField(new double[][] {{0.5, -0.25, 1}, {-1, 1, 0}, {0, 0.75, -0.5}}, 8);
    Rk45Trajectory t =
        new Rk45Trajectory(
            new Rk45Settings(0.002, 80, 1e-6, 1e-6, 10_000), new double[] {31, -17, 60});
    int trues = 0;
    double[] d = null;
    double[] view = null; // a live view: the array the first supply filled shows every later one
    while (!t.done()) {
      assertNull(t.failure());
      d = field.denoise(t.query().clone(), t.querySigma());
      if (t.supply(d)) {
        trues++;
      }
      view = view == null ? t.lastDenoised() : view;
      assertArrayEquals(d, view);
    }
    assertTrue(t.rejectedSteps() > 0, "needs rejections");
    assertEquals(t.completedSteps(), trues);
    assertArrayEquals(d, t.state(), "the final sample is the last D");
    String done = "RK45 solve is done after " + trues + " accepted steps, nfe " + t.nfe();
    assertDone(done, t);
    Rk45Trajectory mirror = new Rk45Trajectory(t.settings(), new double[] {31, -17, 60});
    mirror.restore(t.checkpoint(), null);
    assertTrue(mirror.done());
    assertNull(mirror.failure());
    assertDone(done, mirror);
  }

  private static void assertDone(String message, Rk45Trajectory t) {
    assertEquals(message, assertThrows(IllegalStateException.class, t::query).getMessage());
    assertEquals(message, assertThrows(IllegalStateException.class, t::querySigma).getMessage());
    assertEquals(
        message,
        assertThrows(IllegalStateException.class, () -> t.supply(new double[3])).getMessage());
  }

  @Test
  void suppliedArraysOfTheWrongLengthAreRefused() {
    Rk45Trajectory t =
        new Rk45Trajectory(new Rk45Settings(0.002, 80, 1e-3, 1e-3, 10), new double[] {1, 2});
    RefusalsNameTheRuleTest.assertRefused(
        "denoised must have length 2, was null", () -> t.supply(null));
    RefusalsNameTheRuleTest.assertRefused(
        "denoised must have length 2, was 1", () -> t.supply(new double[1]));
    assertEquals(0, t.nfe());
  }

  /** The first step covers a short interval whole: one trial, ending at sigmaMin itself. */
  @Test
  void aShortIntervalIsOneStepEndingAtSigmaMin() {
    Rk45Trajectory t =
        new Rk45Trajectory(new Rk45Settings(1, 1.01, 1e-3, 1e-3, 10), new double[] {1, -2});
    t.supply(LINEAR.denoise(t.query().clone(), t.querySigma()));
    // The probe, 0.01 |x|/|f| = 0.0125 in ln sigma, is capped to the span ln(1/1.01).
    assertEquals(1, t.querySigma(), 1e-15);
    double last = 0;
    while (!t.done()) {
      last = t.querySigma();
      t.supply(LINEAR.denoise(t.query().clone(), last));
    }
    assertEquals(1, last);
    assertEquals(1, t.completedSteps());
    assertEquals(0, t.rejectedSteps());
    assertEquals(8, t.nfe());
    // x(1) = x0 sqrt((1 + sd^2)/(1.01^2 + sd^2)), then D(x, 1) = x sd^2/(1 + sd^2).
    double ratio = Math.sqrt(1.25 / (1.01 * 1.01 + SD2)) * SD2 / 1.25;
    assertEquals(ratio, t.state()[0], 1e-6);
    assertEquals(-2 * ratio, t.state()[1], 2e-6);
  }

  @Test
  void aStepBelow1eMinus12OfLnSigmaStopsTheSolveWithItsReason() {
    double above = Math.nextUp(1.0);
    Rk45Trajectory t =
        new Rk45Trajectory(new Rk45Settings(1, above, 1e-3, 1e-3, 10), new double[] {1});
    assertEquals(false, t.supply(LINEAR.denoise(t.query().clone(), t.querySigma())));
    assertEquals(false, t.supply(LINEAR.denoise(t.query().clone(), t.querySigma())));
    String why =
        "RK45 step size underflow (h = " + -Math.log(above) + " in ln sigma) at sigma " + above;
    assertEquals(why, t.failure());
    assertEquals(why, assertThrows(IllegalStateException.class, t::query).getMessage());
    assertEquals(why, assertThrows(IllegalStateException.class, t::querySigma).getMessage());
    // Relative to |ln sigma| when that is above 1: at sigma 1e300 (ln 690.8) a step of 1e-11
    // underflows, one of 1e-9 does not.
    assertTrue(run(1e300, 1e300 * (1 + 1e-11)).failure().startsWith("RK45 step size underflow"));
    Rk45Trajectory fine = run(1e300, 1e300 * (1 + 1e-9));
    assertNull(fine.failure());
    assertTrue(fine.done());
  }

  private static Rk45Trajectory run(double sigmaMin, double sigmaMax) {
    Rk45Trajectory t =
        new Rk45Trajectory(new Rk45Settings(sigmaMin, sigmaMax, 1e-3, 1e-3, 10), new double[] {1});
    while (!t.done() && t.failure() == null) {
      t.supply(LINEAR.denoise(t.query().clone(), t.querySigma()));
    }
    return t;
  }

  /** A field that jumps by 1000 at sigma = 1: trials across it are rejected. */
  @Test
  void theTrialLimitCountsAcceptedPlusRejectedTrials() {
    Denoiser jump = (x, sigma) -> new double[] {x[0] - (sigma < 1 ? 1000 : 0)};
    int limit = 14;
    Rk45Trajectory t =
        new Rk45Trajectory(new Rk45Settings(0.002, 80, 1e-6, 1e-6, limit), new double[] {0});
    while (t.failure() == null) {
      t.supply(jump.denoise(t.query().clone(), t.querySigma()));
    }
    assertTrue(t.rejectedSteps() > 0, "needs rejections: " + t.completedSteps());
    assertEquals(limit, t.completedSteps() + t.rejectedSteps());
    assertEquals(2 + 6 * limit, t.nfe());
    assertEquals(
        "RK45 reached its limit of 14 trial steps at sigma "
            + t.sigma()
            + " before sigma_min 0.002 ("
            + t.completedSteps()
            + " accepted, "
            + t.rejectedSteps()
            + " rejected); loosen rtol/atol or raise the trial-step limit",
        t.failure());
  }

  /**
   * A checkpoint with a step size but no first stage (an accepted state handed over without f(x)):
   * the resume evaluates f(x) and then tries that step, with no heuristic.
   */
  @Test
  void aCheckpointWithAStepButNoFirstStageEvaluatesFThenTriesThatStep() {
    Rk45Settings settings = new Rk45Settings(0.002, 80, 1e-3, 1e-3, 100);
    Rk45Trajectory t =
        Rk45Trajectory.resume(
            settings, new Rk45Trajectory.Checkpoint(new double[] {3}, 2, -0.1, 3, 1, 20, null));
    assertEquals(2, t.querySigma());
    assertEquals(false, t.supply(LINEAR.denoise(t.query().clone(), t.querySigma())));
    assertEquals(21, t.nfe());
    double f0 = 3 * 4 / 4.25;
    assertEquals(2 * Math.exp(-0.1 / 5), t.querySigma(), 1e-15);
    assertEquals(3 - 0.1 / 5 * f0, t.query()[0], 1e-15);
    assertEquals(3, t.completedSteps());
    assertEquals(1, t.rejectedSteps());
  }

  /** A resumed solve that is at its trial limit already stops before its first trial. */
  @Test
  void aResumeAtTheTrialLimitStopsBeforeTryingAStep() {
    Rk45Trajectory t =
        Rk45Trajectory.resume(
            new Rk45Settings(0.002, 80, 1e-3, 1e-3, 4),
            new Rk45Trajectory.Checkpoint(new double[] {3}, 2, -0.1, 3, 1, 20, null));
    assertEquals(false, t.supply(LINEAR.denoise(t.query().clone(), t.querySigma())));
    assertEquals(
        "RK45 reached its limit of 4 trial steps at sigma 2.0 before sigma_min 0.002 (3 accepted, 1"
            + " rejected); loosen rtol/atol or raise the trial-step limit",
        t.failure());
    assertEquals(21, t.nfe());
    assertEquals(false, t.done());
  }
}
