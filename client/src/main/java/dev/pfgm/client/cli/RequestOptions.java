package dev.pfgm.client.cli;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.Solver;
import dev.pfgm.proto.v1.StepContent;
import picocli.CommandLine.Option;

/**
 * What to generate: the request's fields. The client rejects only values the wire cannot carry (a
 * negative number in a uint32 field would arrive as 4294967295); ranges (the model's σ range, the
 * server's step and sample limits) are the server's to check, and its INVALID_ARGUMENT names the
 * field and the limit.
 */
final class RequestOptions {

  enum SolverName {
    HEUN,
    EULER,
    RK45
  }

  @Option(names = "--model", description = "Model id (default: the server's default model).")
  String model = "";

  @Option(
      names = "--samples",
      defaultValue = "16",
      description = "Number of samples, >= 1 (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Base seed; 0 lets the server pick one.")
  long seed;

  @Option(
      names = "--steps",
      defaultValue = "0",
      description =
          "Schedule points, >= 0; 0 = the model's default. With rk45: the limit on trial steps"
              + " (0 = the server's).")
  int steps;

  @Option(
      names = "--solver",
      description =
          "heun, euler or rk45 (adaptive Dormand-Prince, steps chosen by --rtol/--atol; default:"
              + " the model's).")
  SolverName solver;

  @Option(
      names = "--rtol",
      paramLabel = "TOL",
      description = "rk45 only: relative tolerance, 1e-6..1 (default: the server's, 1e-3).")
  Double rtol;

  @Option(
      names = "--atol",
      paramLabel = "TOL",
      description = "rk45 only: absolute tolerance, 1e-8..1 (default: the server's, 1e-3).")
  Double atol;

  @Option(
      names = "--noise-injection",
      paramLabel = "ALPHA",
      defaultValue = "0",
      description =
          "Experiment, heun/euler only: before each step add ALPHA * sigma_i * N(0, I) noise drawn"
              + " from the seed, 0..1 (default: ${DEFAULT-VALUE}, off).")
  double noiseInjection;

  @Option(
      names = "--class-label",
      paramLabel = "K",
      description = "Class, >= 0, for class-conditional models.")
  Integer classLabel;

  @Option(
      names = "--sigma-min",
      paramLabel = "SIGMA",
      description = "Lowest noise level of the schedule (default: the model's).")
  Double sigmaMin;

  @Option(
      names = "--sigma-max",
      paramLabel = "SIGMA",
      description = "Highest noise level of the schedule (default: the model's).")
  Double sigmaMax;

  @Option(names = "--rho", description = "Schedule exponent rho (default: the model's).")
  Double rho;

  @Option(
      names = "--preview-every",
      paramLabel = "K",
      defaultValue = "1",
      description = "Stream every K-th step, >= 0 (0: none; default: ${DEFAULT-VALUE}).")
  int previewEvery;

  /**
   * @throws IllegalArgumentException naming the option, the rule and the value
   */
  void check() {
    atLeast("--samples", samples, 1);
    atLeast("--steps", steps, 0);
    atLeast("--preview-every", previewEvery, 0);
    if (classLabel != null) {
      atLeast("--class-label", classLabel, 0);
    }
  }

  private static void atLeast(String option, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(option + " must be >= " + min + ", was " + value);
    }
  }

  GenerateRequest build(StepContent content) {
    GenerateRequest.Builder b =
        GenerateRequest.newBuilder()
            .setModel(model)
            .setNumSamples(samples)
            .setSeed(seed)
            .setSteps(steps)
            .setPreviewEvery(previewEvery)
            .setStepContent(content);
    if (solver != null) {
      b.setSolver(
          switch (solver) {
            case HEUN -> Solver.SOLVER_HEUN;
            case EULER -> Solver.SOLVER_EULER;
            case RK45 -> Solver.SOLVER_RK45;
          });
    }
    if (rtol != null) {
      b.setRtol(rtol);
    }
    if (atol != null) {
      b.setAtol(atol);
    }
    b.setNoiseInjection(noiseInjection);
    if (classLabel != null) {
      b.setClassLabel(classLabel);
    }
    if (sigmaMin != null) {
      b.setSigmaMin(sigmaMin);
    }
    if (sigmaMax != null) {
      b.setSigmaMax(sigmaMax);
    }
    if (rho != null) {
      b.setRho(rho);
    }
    return b.build();
  }
}
