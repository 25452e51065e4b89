package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The error controller's rules, read off the sigmas a solve asks for. */
class Rk45StepControlTest {

  /** One trial step: its h (in ln sigma), whether it was accepted, whether it was the last. */
  record Trial(double h, boolean accepted, boolean last) {}

  /**
   * Runs a fresh solve and returns its trials. A fresh solve evaluates f(x0) and the heuristic's
   * probe, then six stages per trial; the first stage is at ln sigma = t + h/5, so h = 5 (ln
   * querySigma - ln sigma).
   */
  static List<Trial> trials(Rk45Settings settings, Denoiser field, double[] x0) {
    Rk45Trajectory t = new Rk45Trajectory(settings, x0);
    List<Trial> out = new ArrayList<>();
    double h = 0;
    int queries = 0;
    while (!t.done()) {
      if (queries >= 2 && (queries - 2) % 6 == 0) {
        h = 5 * (Math.log(t.querySigma()) - Math.log(t.sigma()));
      }
      double remaining = Math.log(settings.sigmaMin()) - Math.log(t.sigma());
      int rejected = t.rejectedSteps();
      t.supply(field.denoise(t.query().clone(), t.querySigma()));
      queries++;
      if (queries >= 8 && (queries - 2) % 6 == 0) {
        out.add(new Trial(h, t.rejectedSteps() == rejected, Math.abs(h - remaining) < 1e-9));
      }
    }
    return out;
  }

  /**
   * The rules of the class comment: a rejected step shrinks h by 0.2..0.9 (safety 0.9, clamp 0.2);
   * an accepted one grows it by 0.9..10, but not at all right after a rejection. The last trial is
   * shortened to end at sigmaMin, so only its upper bound holds. h is read off ln sigma to about
   * 1e-15, so tiny first steps carry a relative error near 1e-9: the bounds allow 1e-6.
   */
  static void assertControlRules(List<Trial> trials, String what) {
    for (int i = 1; i < trials.size(); i++) {
      Trial before = trials.get(i - 1);
      Trial now = trials.get(i);
      double ratio = now.h() / before.h();
      String where = what + ", trial " + i + ": ratio " + ratio;
      double low;
      double high;
      if (!before.accepted()) {
        low = MIN_FACTOR;
        high = SAFETY;
        assertTrue(ratio < high, where);
      } else {
        boolean afterRejection = i >= 2 && !trials.get(i - 2).accepted();
        low = SAFETY;
        high = afterRejection ? 1 : MAX_FACTOR;
        assertTrue(ratio <= high * (1 + 1e-6), where);
      }
      if (!now.last()) {
        assertTrue(ratio >= low * (1 - 1e-6), where);
      }
    }
  }

  private static final double MIN_FACTOR = 0.2;
  private static final double SAFETY = 0.9;
  private static final double MAX_FACTOR = 10;
  private static final double[][] DATA = {
    {0.5, -0.25, 0.75, -1}, {-1, 1, 0, 0.5}, {0, 0.75, -0.5, 0.25}
  };

  @Test
  void theRulesHoldOnExactFieldsAndNoStepGrowsRightAfterARejection() {
    int heldAtOne = 0;
    for (double tol : new double[] {1e-1, 1e-3, 1e-6}) {
      for (double aug : new double[] {1, 8, Double.POSITIVE_INFINITY}) {
        List<Trial> ts =
            trials(
                new Rk45Settings(0.002, 80, tol, tol, 10000),
                new ExactField(DATA, aug),
                Prior.of(aug, 4, 80).sample(SampleSeeds.rng(3)));
        assertControlRules(ts, "tol " + tol + " D " + aug);
        for (int i = 2; i < ts.size(); i++) {
          if (!ts.get(i - 2).accepted() && ts.get(i).h() == ts.get(i - 1).h()) {
            heldAtOne++;
          }
        }
      }
    }
    // Where the controller would have grown h (norm < 0.59) it held it instead.
    assertTrue(heldAtOne >= 2, "held " + heldAtOne);
  }

  /**
   * f = x - D = c, constant: x(t) = x0 + c t, which RK45 integrates exactly, so the error estimate
   * is 0 and every step grows by the clamp 10 until the last one ends at sigmaMin; the final sample
   * is D(x(sigmaMin)) = x0 + c ln(sigmaMin/sigmaMax) - c.
   */
  @Test
  void aFieldRk45IntegratesExactlyGrowsEveryStepByTenAndLandsOnTheClosedForm() {
    double[] c = {0.25, -0.5};
    Denoiser drift = (x, sigma) -> new double[] {x[0] - c[0], x[1] - c[1]};
    Rk45Settings settings = new Rk45Settings(0.002, 80, 1e-6, 1e-6, 1000);
    double[] x0 = {1, 2};
    List<Trial> ts = trials(settings, drift, x0);
    assertTrue(ts.size() >= 3, "trials " + ts.size());
    for (int i = 1; i < ts.size(); i++) {
      assertTrue(ts.get(i - 1).accepted());
      if (!ts.get(i).last()) {
        assertEquals(10, ts.get(i).h() / ts.get(i - 1).h(), 1e-9, "trial " + i);
      }
    }
    Rk45Trajectory t = new Rk45Trajectory(settings, x0);
    while (!t.done()) {
      t.supply(drift.denoise(t.query().clone(), t.querySigma()));
    }
    double lnRatio = Math.log(0.002 / 80);
    for (int i = 0; i < 2; i++) {
      assertEquals(x0[i] + c[i] * lnRatio - c[i], t.state()[i], 1e-12, "x_" + i);
    }
    assertEquals(0, t.rejectedSteps());
  }

  /**
   * A field that jumps by 1000 at sigma = 1: the trial across the jump is off by far more than
   * (0.9/0.2)^5 tolerances, so h shrinks by the clamp 0.2 exactly, and the solve still ends.
   */
  @Test
  void aTrialAcrossAJumpIsRejectedAndShrinksByTheClampOneFifth() {
    Denoiser jump =
        (x, sigma) -> {
          double g = sigma < 1 ? 1000 : 0;
          return new double[] {x[0] - g};
        };
    List<Trial> ts = trials(new Rk45Settings(0.002, 80, 1e-6, 1e-6, 10000), jump, new double[] {0});
    assertControlRules(ts, "jump");
    int clamped = 0;
    for (int i = 1; i < ts.size(); i++) {
      if (!ts.get(i - 1).accepted()
          && Math.abs(ts.get(i).h() / ts.get(i - 1).h() - MIN_FACTOR) < 1e-6) {
        clamped++;
      }
    }
    assertTrue(clamped >= 1, "no rejection shrank h by the clamp");
  }
}
