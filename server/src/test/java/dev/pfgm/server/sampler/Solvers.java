package dev.pfgm.server.sampler;

/** Runs a trajectory to the end with a {@link Denoiser}: the reference loop for tests and tools. */
public final class Solvers {

  private Solvers() {}

  /**
   * Solves from {@code x0} (not modified) over {@code schedule} and returns the final x (a fresh
   * array), calling the denoiser {@code solver.nfe(schedule.steps())} times.
   */
  public static double[] solve(
      SolverKind solver, Schedule schedule, double[] x0, Denoiser denoiser) {
    if (denoiser == null) {
      throw new IllegalArgumentException("denoiser must be non-null");
    }
    Trajectory trajectory = new Trajectory(solver, schedule, x0);
    while (!trajectory.done()) {
      trajectory.supply(denoiser.denoise(trajectory.query().clone(), trajectory.querySigma()));
    }
    return trajectory.state().clone();
  }
}
