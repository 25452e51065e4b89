package dev.pfgm.server.sampler;

/**
 * One sample's solver state at a step boundary, as a value: after {@code step} completed steps and
 * {@code nfe} network evaluations the state is {@code x} (float64, at sigma_step). The ODE is
 * deterministic after x0, so a trajectory resumed from a checkpoint ends on the same bytes as one
 * that never stopped.
 *
 * <p>With noise injection the future also depends on the sample's random stream: {@code rng} is
 * that stream's saved state (commons-rng {@code saveState()}, exact and O(1)), and {@code
 * noiseAdded} says whether x already holds step {@code step}'s injected noise (a Heun step whose
 * predictor ran: its draws are made and not made again).
 *
 * @param x [N] state (not copied: treat as immutable)
 * @param rng the random stream's state after the draws x holds, or null without noise injection
 * @param noiseAdded x holds step {@code step}'s noise (only with {@code rng})
 */
public record Checkpoint(int step, int nfe, double[] x, byte[] rng, boolean noiseAdded) {

  /** A checkpoint of a trajectory without noise injection. */
  public Checkpoint(int step, int nfe, double[] x) {
    this(step, nfe, x, null, false);
  }

  public Checkpoint {
    if (step < 0 || nfe < 0) {
      throw new IllegalArgumentException("step and nfe must be >= 0, were " + step + " and " + nfe);
    }
    if (x == null || x.length == 0) {
      throw new IllegalArgumentException("x must have length >= 1");
    }
    if (noiseAdded && rng == null) {
      throw new IllegalArgumentException("noiseAdded needs the random stream's state");
    }
  }
}
