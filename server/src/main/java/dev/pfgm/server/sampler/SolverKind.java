package dev.pfgm.server.sampler;

/** The deterministic probability-flow ODE solvers (DESIGN §1). */
public enum SolverKind {
  /** EDM Algorithm 2: Euler predictor plus trapezoidal correction, except on the last step. */
  HEUN,
  /** The first half of Heun only: one network evaluation per step. */
  EULER;

  /** Network evaluations for {@code steps} solver steps: HEUN 2n-1, EULER n. */
  public int nfe(int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, was " + steps);
    }
    return this == HEUN ? 2 * steps - 1 : steps;
  }
}
