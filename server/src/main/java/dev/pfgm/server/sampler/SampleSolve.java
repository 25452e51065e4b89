package dev.pfgm.server.sampler;

/**
 * One sample's solve of the probability-flow ODE dx/dsigma = (x - D(x, sigma))/sigma as a step
 * machine: the caller evaluates D at {@link #query()} and {@link #querySigma()} and hands the
 * result to {@link #supply}, until {@link #done()}. Every row carries its own sigma, so an engine
 * can pack rows of any solver, any step and any job into one network call. float64 state; not
 * thread-safe.
 *
 * <p>Implemented by {@link Trajectory} (Heun and Euler on a fixed schedule) and {@link
 * Rk45Trajectory} (adaptive Dormand-Prince).
 */
public interface SampleSolve {

  /** Whether the solve reached sigma = 0; {@link #state()} is then the sample. */
  boolean done();

  /** The x at which the next D(x, sigma) is needed; a live view the caller must not modify. */
  double[] query();

  /** The sigma of the next evaluation. */
  double querySigma();

  /**
   * Supplies D(query(), querySigma()) (copied); returns true when this completed a solver step.
   *
   * @throws IllegalStateException if the solve is done or has failed
   * @throws IllegalArgumentException if {@code denoised} does not have the state's length
   */
  boolean supply(double[] denoised);

  /**
   * Why the solve cannot go on, or null: an adaptive solve that used up its trial-step limit before
   * sigma_min (the tolerance is too tight for the field). A failed solve is not done and takes no
   * more evaluations.
   */
  default String failure() {
    return null;
  }

  /** Solver steps completed so far (accepted steps, for an adaptive solver). */
  int completedSteps();

  /** The current x, at {@link #sigma()}; a live view the caller must not modify. */
  double[] state();

  /** The sigma the current state is at: sigma_max before the first step, 0 when done. */
  double sigma();

  /** The last supplied denoised estimate; a live view, null before the first supply. */
  double[] lastDenoised();

  /** Network evaluations so far. */
  int nfe();

  /** Trial steps the error control rejected so far; 0 for the fixed-schedule solvers. */
  default int rejectedSteps() {
    return 0;
  }

  /** The number of steps the solve takes, when fixed in advance; 0 for an adaptive solver. */
  int plannedSteps();

  /** The solver. */
  SolverKind solver();
}
