package dev.pfgm.server.sampler;

/** The deterministic probability-flow ODE solvers (DESIGN §1, docs/solvers.md). */
public enum SolverKind {
  /** EDM Algorithm 2: Euler predictor plus trapezoidal correction, except on the last step. */
  HEUN,
  /** The first half of Heun only: one network evaluation per step. */
  EULER,
  /** Adaptive Dormand-Prince 5(4) in t = ln sigma ({@link Rk45Trajectory}); no fixed schedule. */
  RK45;

  /** Whether the solver picks its own steps (no schedule, no NFE known in advance). */
  public boolean adaptive() {
    return this == RK45;
  }

  /**
   * Network evaluations for {@code steps} solver steps: HEUN 2n-1, EULER n.
   *
   * @throws IllegalStateException for RK45, whose NFE is known only at the end
   */
  public int nfe(int steps) {
    if (adaptive()) {
      throw new IllegalStateException("RK45's NFE depends on the field and the tolerances");
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, was " + steps);
    }
    return this == HEUN ? 2 * steps - 1 : steps;
  }
}
