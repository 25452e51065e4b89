package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The Hairer-Norsett-Wanner first step on cases worked by hand. Scale s_i = atol + rtol |x_i|; with
 * atol = 0.5, rtol = 0.25 and x = (2, -4) the scales are (1, 1.5), so every RMS below is a sum of
 * two squares.
 */
class FirstStepHeuristicTest {

  private static final Rk45Settings S = new Rk45Settings(0.002, 80, 0.25, 0.5, 100);
  private static final double[] X = {2, -4};
  private static final double[] F0 = {1, 3};

  /** atol 1 and an rtol too small to count: the scale is exactly 1 (for the 1e-5 thresholds). */
  private static final Rk45Settings UNIT = new Rk45Settings(0.002, 80, 1e-300, 1, 100);

  @Test
  void theProbeIsOnePercentOfXOverFInTheScaledNorm() {
    // d0^2 = (4 + 64/9)/2 = 50/9, d1^2 = (1 + 4)/2 = 5/2: h0 = 0.01 sqrt(20/9), towards the span.
    assertEquals(-0.01 * Math.sqrt(20.0 / 9), FirstStep.probe(S, -10, X, F0), 1e-17);
    assertEquals(0.01 * Math.sqrt(20.0 / 9), FirstStep.probe(S, 10, X, F0), 1e-17);
    // Capped to the whole span.
    assertEquals(-0.005, FirstStep.probe(S, -0.005, X, F0));
  }

  @Test
  void theProbeIs1eMinus6OnlyWhenXOrFIsBelow1eMinus5() {
    assertEquals(-1e-6, FirstStep.probe(S, -10, new double[] {0, 0}, F0));
    assertEquals(-1e-6, FirstStep.probe(S, -10, X, new double[] {0, 0}));
    assertEquals(1e-5, Math.sqrt(1e-5 * 1e-5), "1e-5 survives the RMS exactly");
    // d0 = 1e-5 exactly is not below the threshold: 0.01 * 1e-5 / 1.
    assertEquals(-1e-7, FirstStep.probe(UNIT, -10, new double[] {1e-5}, new double[] {1}), 1e-22);
    // d1 = 1e-5 exactly: 0.01 / 1e-5 = 1000, capped to the span.
    assertEquals(-10, FirstStep.probe(UNIT, -10, new double[] {1}, new double[] {1e-5}));
  }

  @Test
  void theFirstStepIsTheFifthRootOfOnePercentOverTheLargerDerivativeEstimate() {
    // f1 - f0 = (0.5, -1), over |h0| = 0.1: d2^2 = (25 + 400/9)/2 = 625/18 > d1^2 = 5/2.
    double h1 = Math.pow(0.01 / (25 / Math.sqrt(18)), 0.2);
    assertEquals(-h1, FirstStep.choose(S, -10, X, F0, new double[] {1.5, 2}, -0.1), 1e-15 * h1);
    // f1 = f0: d2 = 0, d1 = sqrt(5/2) rules.
    double flat = Math.pow(0.01 / Math.sqrt(2.5), 0.2);
    assertEquals(-flat, FirstStep.choose(S, -10, X, F0, F0, -0.1), 1e-15 * flat);
    // At most 100 |h0| and the span.
    assertEquals(-100 * 1e-3, FirstStep.choose(S, -10, X, F0, F0, -1e-3), 1e-17);
    assertEquals(-0.05, FirstStep.choose(S, -0.05, X, F0, F0, -0.1));
  }

  @Test
  void aFieldAtRestGivesAThousandthOfTheProbeButAtLeast1eMinus6() {
    double[] zero = {0, 0};
    assertEquals(-0.01 * 1e-3, FirstStep.choose(S, -10, X, zero, zero, -0.01), 1e-20);
    assertEquals(-1e-6, FirstStep.choose(S, -10, X, zero, zero, -1e-4));
    // Only when both estimates are at most 1e-15: f0 = 0 with f1 moving is the formula.
    double[] moving = {1, 1};
    double d2 = Math.sqrt((100 + 100 / 2.25) / 2); // (1, 1) / 0.1 over scales (1, 1.5)
    double h1 = Math.pow(0.01 / d2, 0.2);
    assertEquals(-h1, FirstStep.choose(S, -10, X, zero, moving, -0.1), 1e-15 * h1);
    // Exactly 1e-15 is "at rest": d1 = 1e-15 with d2 = 0, and d2 = 1e-15 / 1 with d1 = 0.
    double[] x0 = {0};
    double[] tiny = {1e-15};
    assertEquals(1e-15, Math.sqrt(1e-15 * 1e-15), "1e-15 survives the RMS exactly");
    assertEquals(-0.01 * 1e-3, FirstStep.choose(UNIT, -10, x0, tiny, tiny, -0.01), 1e-20);
    assertEquals(-1e-3, FirstStep.choose(UNIT, -10, x0, new double[] {0}, tiny, -1), 1e-18);
  }
}
