package dev.pfgm.server.sampler;

/**
 * The initial step size of an adaptive solve: the Hairer-Norsett-Wanner heuristic (Solving ODEs I,
 * II.4; scipy's select_initial_step), with the RK45 error scale. Steps are signed: the solve runs
 * towards {@code span} = tEnd - t (negative here).
 */
final class FirstStep {

  private FirstStep() {}

  /** The probe step h0 = 0.01 |x|/|f(x)| in the scaled RMS norm (1e-6 when either is tiny). */
  static double probe(Rk45Settings s, double span, double[] x, double[] f0) {
    double d0 = rms(s, x, x, 1);
    double d1 = rms(s, x, f0, 1);
    double h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1;
    return Math.copySign(Math.min(h0, Math.abs(span)), span);
  }

  /**
   * The first step from f0 = f(x) and f1 = f(x + h0 f0): h1 = (0.01 / max(|f0|, |f1 - f0|/|h0|))^(1
   * / 5), at most 100 |h0| and the whole span.
   */
  static double choose(
      Rk45Settings s, double span, double[] x, double[] f0, double[] f1, double h0) {
    double d1 = rms(s, x, f0, 1);
    double[] diff = new double[x.length]; // [N]
    for (int i = 0; i < x.length; i++) {
      diff[i] = f1[i] - f0[i];
    }
    double d2 = rms(s, x, diff, Math.abs(h0));
    double h1 =
        d1 <= 1e-15 && d2 <= 1e-15
            ? Math.max(1e-6, Math.abs(h0) * 1e-3)
            : Math.pow(0.01 / Math.max(d1, d2), 1 / DormandPrince.ORDER);
    double h = Math.min(Math.min(100 * Math.abs(h0), h1), Math.abs(span));
    return Math.copySign(h, span);
  }

  /** RMS of v_i / (divisor * (atol + rtol |x_i|)). */
  private static double rms(Rk45Settings s, double[] x, double[] v, double divisor) {
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      double r = v[i] / (divisor * (s.atol() + s.rtol() * Math.abs(x[i])));
      sum += r * r;
    }
    return Math.sqrt(sum / x.length);
  }
}
