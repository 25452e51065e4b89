package dev.pfgm.server.sampler;

/**
 * What an RK45 solve needs besides x0: the noise range, the tolerances and the trial-step cap.
 *
 * @param sigmaMin where the integration ends (then the final denoise to sigma = 0), > 0
 * @param sigmaMax where it starts, > sigmaMin, finite
 * @param rtol relative tolerance, finite and > 0
 * @param atol absolute tolerance (data scale [-1, 1]), finite and > 0
 * @param maxTrials at most this many trial steps, accepted plus rejected, >= 1
 */
public record Rk45Settings(
    double sigmaMin, double sigmaMax, double rtol, double atol, int maxTrials) {

  public Rk45Settings {
    if (!(sigmaMin > 0) || !(sigmaMax > sigmaMin) || !Double.isFinite(sigmaMax)) {
      throw new IllegalArgumentException(
          "need 0 < sigmaMin < sigmaMax < infinity, was " + sigmaMin + " and " + sigmaMax);
    }
    if (!(rtol > 0) || !Double.isFinite(rtol) || !(atol > 0) || !Double.isFinite(atol)) {
      throw new IllegalArgumentException(
          "rtol and atol must be finite and > 0, were " + rtol + " and " + atol);
    }
    if (maxTrials < 1) {
      throw new IllegalArgumentException("maxTrials must be >= 1, was " + maxTrials);
    }
  }
}
