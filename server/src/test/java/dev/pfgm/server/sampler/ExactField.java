package dev.pfgm.server.sampler;

/**
 * The exact PFGM++ field of a finite data set (DESIGN §1): D(x, sigma) = sum w_i y_i / sum w_i with
 * log w_i = -(N+D)/2 * log(|x - y_i|^2 + sigma^2 D) (finite D) or -|x - y_i|^2/(2 sigma^2) (D =
 * infinity).
 *
 * <p>Computed with log-sum-exp (the max log weight is subtracted before exponentiating), so it is
 * stable for tiny sigma, and defined at sigma = 0 (where it is y_i when x = y_i). Sampling with it
 * lands on the data points. Immutable and thread-safe. A reference for the sampler tests; the
 * server serves networks, never this.
 */
public final class ExactField implements Denoiser {

  private final double[] data; // [M][N], row-major
  private final int count; // M
  private final int dataDim; // N
  private final double augmentDim; // D

  /**
   * @param data M >= 1 points of equal length N >= 1 (copied)
   * @param augmentDim D: finite and > 0, or {@link Double#POSITIVE_INFINITY} for diffusion
   */
  public ExactField(double[][] data, double augmentDim) {
    if (data == null || data.length == 0) {
      throw new IllegalArgumentException(
          "data must have >= 1 points, was " + (data == null ? "null" : 0));
    }
    if (!(augmentDim > 0)) {
      throw new IllegalArgumentException(
          "augmentDim must be > 0 (or +Infinity for diffusion), was " + augmentDim);
    }
    this.count = data.length;
    this.dataDim = data[0] == null ? 0 : data[0].length;
    if (dataDim < 1) {
      throw new IllegalArgumentException("data points must have length >= 1, was " + dataDim);
    }
    this.data = new double[count * dataDim];
    for (int i = 0; i < count; i++) {
      if (data[i] == null || data[i].length != dataDim) {
        throw new IllegalArgumentException(
            "data["
                + i
                + "] must have length "
                + dataDim
                + ", was "
                + (data[i] == null ? "null" : data[i].length));
      }
      System.arraycopy(data[i], 0, this.data, i * dataDim, dataDim);
    }
    this.augmentDim = augmentDim;
  }

  @Override
  public double[] denoise(double[] x, double sigma) {
    if (x == null || x.length != dataDim) {
      throw new IllegalArgumentException(
          "x must have length " + dataDim + ", was " + (x == null ? "null" : x.length));
    }
    if (!(sigma >= 0) || !Double.isFinite(sigma)) {
      throw new IllegalArgumentException("sigma must be finite and >= 0, was " + sigma);
    }
    /* Per-point distance term q_i; the largest weight has the smallest q. */
    boolean diffusion = augmentDim == Double.POSITIVE_INFINITY;
    double[] q = new double[count]; // [M]
    double qMin = Double.POSITIVE_INFINITY;
    for (int i = 0; i < count; i++) {
      double r2 = 0;
      for (int k = 0; k < dataDim; k++) {
        double diff = x[k] - data[i * dataDim + k];
        r2 += diff * diff;
      }
      q[i] = diffusion ? r2 : r2 + sigma * sigma * augmentDim;
      qMin = Math.min(qMin, q[i]);
    }
    /* Log-sum-exp: log w_i - max_j log w_j, exactly 0 for the nearest points even at sigma = 0. */
    double halfExponent = (dataDim + augmentDim) / 2;
    double logQMin = Math.log(qMin);
    double[] denoised = new double[dataDim]; // [N]
    double weightSum = 0;
    for (int i = 0; i < count; i++) {
      double logWeight;
      if (q[i] == qMin) {
        logWeight = 0;
      } else if (diffusion) {
        logWeight = -(q[i] - qMin) / (2 * sigma * sigma);
      } else {
        logWeight = -halfExponent * (Math.log(q[i]) - logQMin);
      }
      double weight = Math.exp(logWeight);
      weightSum += weight;
      for (int k = 0; k < dataDim; k++) {
        denoised[k] += weight * data[i * dataDim + k];
      }
    }
    for (int k = 0; k < dataDim; k++) {
      denoised[k] /= weightSum;
    }
    return denoised;
  }
}
