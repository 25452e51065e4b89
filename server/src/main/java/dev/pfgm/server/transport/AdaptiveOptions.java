package dev.pfgm.server.transport;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.server.sampler.SolverKind;

/** Validation of the RK45 tolerances and the noise-injection experiment's alpha. */
final class AdaptiveOptions {

  static final double DEFAULT_RTOL = 1e-3;
  static final double DEFAULT_ATOL = 1e-3;
  static final double MIN_RTOL = 1e-6;
  static final double MIN_ATOL = 1e-8;
  static final double MAX_TOL = 1;

  private AdaptiveOptions() {}

  record Tolerances(double rtol, double atol) {}

  /** rtol and atol resolved for RK45; for the schedule solvers they must be unset. */
  static Tolerances tolerances(GenerateRequest req, SolverKind solver) {
    if (!solver.adaptive()) {
      for (String field : new String[] {"rtol", "atol"}) {
        if (field.equals("rtol") ? req.hasRtol() : req.hasAtol()) {
          throw new InvalidArgument(
              field + " applies to SOLVER_RK45 only; must be unset with SOLVER_" + solver.name());
        }
      }
      return null;
    }
    double rtol = req.hasRtol() ? req.getRtol() : DEFAULT_RTOL;
    double atol = req.hasAtol() ? req.getAtol() : DEFAULT_ATOL;
    inRange("rtol", rtol, MIN_RTOL);
    inRange("atol", atol, MIN_ATOL);
    return new Tolerances(rtol, atol);
  }

  /** alpha in [0, 1]; only 0 with RK45. */
  static double noiseInjection(GenerateRequest req, SolverKind solver) {
    double alpha = req.getNoiseInjection();
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new InvalidArgument("noise_injection must be in [0, 1], was " + alpha);
    }
    if (alpha > 0 && solver.adaptive()) {
      throw new InvalidArgument(
          "noise_injection must be 0 with SOLVER_RK45 (injected noise would steer its step-size"
              + " control), was "
              + alpha);
    }
    return alpha;
  }

  private static void inRange(String field, double value, double min) {
    if (!(value >= min && value <= MAX_TOL)) {
      throw new InvalidArgument(
          field + " must be in [" + min + ", " + MAX_TOL + "] for SOLVER_RK45, was " + value);
    }
  }
}
