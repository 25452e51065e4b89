package dev.pfgm.server.sampler;

import java.util.Arrays;

/**
 * EDM/PFGM++ noise schedule: {@code sigmas[0..n-1]} by the rho-schedule, {@code sigmas[n] = 0}.
 * float64.
 *
 * <p>sigma_i = (sigmaMax^(1/rho) + i/(n-1) * (sigmaMin^(1/rho) - sigmaMax^(1/rho)))^rho for i =
 * 0..n-1 (EDM eq. 5), then sigma_n = 0. Immutable.
 */
public final class Schedule {

  /** How far the computed last sigma may fall from sigmaMin, relative. */
  static final double LAST_SIGMA_TOLERANCE = 1e-6;

  private final double[] sigmas; // [n+1], decreasing, sigmas[n] == 0

  private Schedule(double[] sigmas) {
    this.sigmas = sigmas;
  }

  /**
   * The EDM rho-schedule with {@code steps} solver steps.
   *
   * @param steps n, at least 1; for n == 1 the schedule is {sigmaMax, 0}
   * @param sigmaMin the last nonzero sigma, finite and > 0
   * @param sigmaMax the first sigma, finite and >= sigmaMin
   * @param rho the schedule's curvature, finite and > 0 (EDM default 7)
   */
  public static Schedule edm(int steps, double sigmaMin, double sigmaMax, double rho) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, was " + steps);
    }
    if (!(sigmaMin > 0) || !Double.isFinite(sigmaMin)) {
      throw new IllegalArgumentException("sigmaMin must be finite and > 0, was " + sigmaMin);
    }
    if (!(sigmaMax >= sigmaMin) || !Double.isFinite(sigmaMax)) {
      throw new IllegalArgumentException(
          "sigmaMax must be finite and >= sigmaMin (" + sigmaMin + "), was " + sigmaMax);
    }
    if (!(rho > 0) || !Double.isFinite(rho)) {
      throw new IllegalArgumentException("rho must be finite and > 0, was " + rho);
    }
    double[] sigmas = new double[steps + 1]; // [n+1]
    if (steps == 1) {
      sigmas[0] = sigmaMax;
      return new Schedule(sigmas);
    }
    double maxInvRho = Math.pow(sigmaMax, 1 / rho);
    double minInvRho = Math.pow(sigmaMin, 1 / rho);
    for (int i = 0; i < steps; i++) {
      sigmas[i] = Math.pow(maxInvRho + (double) i / (steps - 1) * (minInvRho - maxInvRho), rho);
    }
    checkRepresentable(sigmas, sigmaMin, rho);
    return new Schedule(sigmas);
  }

  /**
   * The schedule whose sigmas are these (copied): [n+1], positive and strictly decreasing, then 0.
   * For a schedule sent elsewhere as its values.
   */
  public static Schedule of(double[] sigmas) {
    int n = sigmas.length - 1;
    if (n < 1 || sigmas[n] != 0) {
      throw new IllegalArgumentException(
          "sigmas must be n+1 >= 2 values ending in 0, were " + Arrays.toString(sigmas));
    }
    for (int i = 0; i < n; i++) {
      if (!(sigmas[i] > 0)
          || !Double.isFinite(sigmas[i])
          || (i > 0 && !(sigmas[i] < sigmas[i - 1]))) {
        throw new IllegalArgumentException(
            "sigmas must be finite, positive and strictly decreasing before the final 0; sigma_"
                + i
                + " is "
                + sigmas[i]);
      }
    }
    return new Schedule(sigmas.clone());
  }

  /**
   * Small rho puts sigmaMax^(1/rho) and sigmaMin^(1/rho) orders of magnitude apart, and float64
   * loses sigmaMin in their difference: the last sigmas come out 0, repeated or far from sigmaMin.
   * Such a schedule is refused here, before a solver divides by a zero sigma.
   */
  private static void checkRepresentable(double[] sigmas, double sigmaMin, double rho) {
    int last = sigmas.length - 2;
    for (int i = 0; i <= last; i++) {
      if (!(sigmas[i] > 0)
          || !Double.isFinite(sigmas[i])
          || !((float) sigmas[i] > 0)
          || (i > 0 && !(sigmas[i] < sigmas[i - 1]))) {
        throw new IllegalArgumentException(
            "rho="
                + rho
                + " cannot be represented with these sigmas in"
                + " float64: sigma_"
                + i
                + " comes out "
                + sigmas[i]
                + " (sigmas must be positive and"
                + " strictly decreasing before the final 0); use a larger rho");
      }
    }
    if (Math.abs(sigmas[last] / sigmaMin - 1) > LAST_SIGMA_TOLERANCE) {
      throw new IllegalArgumentException(
          "rho="
              + rho
              + " cannot be represented with these sigmas in"
              + " float64: the last sigma comes out "
              + sigmas[last]
              + " instead of sigma_min="
              + sigmaMin
              + "; use a larger rho");
    }
  }

  /** The number of solver steps n. */
  public int steps() {
    return sigmas.length - 1;
  }

  /** sigma_i for i in 0..n; sigma_n is 0. */
  public double sigma(int i) {
    if (i < 0 || i >= sigmas.length) {
      throw new IndexOutOfBoundsException("i must be in 0.." + steps() + ", was " + i);
    }
    return sigmas[i];
  }

  /** A defensive copy of all sigmas, length n+1. */
  public double[] sigmas() {
    return sigmas.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Schedule other && Arrays.equals(sigmas, other.sigmas);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(sigmas);
  }

  @Override
  public String toString() {
    return "Schedule" + Arrays.toString(sigmas);
  }
}
