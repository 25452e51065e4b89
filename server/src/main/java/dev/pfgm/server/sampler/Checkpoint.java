package dev.pfgm.server.sampler;

/**
 * One sample's solver state at a step boundary, as a value: after {@code step} completed steps and
 * {@code nfe} network evaluations the state is {@code x} (float64, at sigma_step). The ODE is
 * deterministic after x0, so a trajectory resumed from a checkpoint ends on the same bytes as one
 * that never stopped.
 *
 * @param x [N] state (not copied: treat as immutable)
 */
public record Checkpoint(int step, int nfe, double[] x) {

  public Checkpoint {
    if (step < 0 || nfe < 0) {
      throw new IllegalArgumentException("step and nfe must be >= 0, were " + step + " and " + nfe);
    }
    if (x == null || x.length == 0) {
      throw new IllegalArgumentException("x must have length >= 1");
    }
  }
}
