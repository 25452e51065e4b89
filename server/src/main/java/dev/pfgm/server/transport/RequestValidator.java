package dev.pfgm.server.transport;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.runtime.ModelCard;
import dev.pfgm.server.sampler.Rk45Settings;
import dev.pfgm.server.sampler.SampleSeeds;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/** Turns a GenerateRequest into a GenerationPlan, or says which field is wrong and why. */
public final class RequestValidator {

  private final Map<String, ModelCard> models;
  private final String defaultModel;
  private final ServingLimits limits;

  public RequestValidator(
      Map<String, ModelCard> models, String defaultModel, ServingLimits limits) {
    this.models = Map.copyOf(models);
    this.defaultModel = defaultModel;
    this.limits = limits;
  }

  public GenerationPlan validate(GenerateRequest req) {
    String id = req.getModel().isEmpty() ? defaultModel : req.getModel();
    ModelCard card = models.get(id);
    if (card == null) {
      throw new ModelNotFound(
          (req.getModel().isEmpty()
                  ? "no model named and the default model '"
                      + Text.clip(id)
                      + "' is not served now (removed by a reload)"
                  : "model '" + Text.clip(id) + "' not found")
              + "; served models: "
              + new TreeSet<>(models.keySet()));
    }
    int numSamples =
        req.getNumSamples() == 0
            ? 1
            : range("num_samples", req.getNumSamples(), 1, limits.maxSamples());
    SolverKind solver =
        switch (req.getSolver()) {
          case SOLVER_UNSPECIFIED -> SolverKind.valueOf(card.defaultSolver().toUpperCase());
          case SOLVER_HEUN -> SolverKind.HEUN;
          case SOLVER_EULER -> SolverKind.EULER;
          case SOLVER_RK45 -> SolverKind.RK45;
          default ->
              throw new InvalidArgument(
                  "solver must be SOLVER_HEUN, SOLVER_EULER or SOLVER_RK45, was "
                      + req.getSolverValue());
        };
    // RK45: steps is the trial-step limit, 0 meaning the server's limit.
    int steps =
        req.getSteps() == 0
            ? (solver.adaptive() ? limits.maxSteps() : card.defaultSteps())
            : range("steps", req.getSteps(), 1, limits.maxSteps());
    AdaptiveOptions.Tolerances tol = AdaptiveOptions.tolerances(req, solver);
    double noiseInjection = AdaptiveOptions.noiseInjection(req, solver);
    double sigmaMin = req.hasSigmaMin() ? req.getSigmaMin() : card.sigmaMin();
    double sigmaMax = req.hasSigmaMax() ? req.getSigmaMax() : card.sigmaMax();
    within("sigma_min", sigmaMin, card);
    within("sigma_max", sigmaMax, card);
    if (!(sigmaMin < sigmaMax)) {
      throw new InvalidArgument(
          "sigma_min must be < sigma_max, was sigma_min=" + sigmaMin + " sigma_max=" + sigmaMax);
    }
    double rho = req.hasRho() ? req.getRho() : card.rho();
    if (!ModelCard.rhoAllowed(rho)) {
      throw new InvalidArgument("rho " + ModelCard.RHO_RULE + ", was " + rho);
    }
    int classLabel = classLabel(req, card);
    int previewEvery =
        range(
            "preview_every",
            req.getPreviewEvery(),
            0,
            solver.adaptive() ? limits.maxSteps() : steps);
    StepContent content = req.getStepContent();
    checkMessageSize(card, numSamples, content, previewEvery);
    long base =
        req.getSeed() != 0
            ? req.getSeed()
            : ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    long[] seeds = new long[numSamples];
    for (int i = 0; i < numSamples; i++) {
      seeds[i] = SampleSeeds.seedOf(base, i);
    }
    boolean lossless =
        switch (req.getDelivery()) {
          case DELIVERY_UNSPECIFIED, DELIVERY_LATEST -> false;
          case DELIVERY_ALL -> true;
          default ->
              throw new InvalidArgument(
                  "delivery must be DELIVERY_LATEST or DELIVERY_ALL, was "
                      + req.getDeliveryValue());
        };
    return new GenerationPlan(
        card,
        seeds,
        solver.adaptive() ? null : schedule(steps, sigmaMin, sigmaMax, rho),
        solver.adaptive()
            ? new Rk45Settings(sigmaMin, sigmaMax, tol.rtol(), tol.atol(), steps)
            : null,
        solver,
        noiseInjection,
        classLabel,
        previewEvery,
        content,
        lossless);
  }

  /**
   * The schedule, or INVALID_ARGUMENT when float64 cannot make it (tiny rho) - before any compute.
   */
  private static Schedule schedule(int steps, double sigmaMin, double sigmaMax, double rho) {
    try {
      return Schedule.edm(steps, sigmaMin, sigmaMax, rho);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgument(e.getMessage());
    }
  }

  private static int classLabel(GenerateRequest req, ModelCard card) {
    int k = card.classLabels().size();
    if (!card.conditional()) {
      if (req.hasClassLabel()) {
        throw new InvalidArgument(
            "class_label must be unset: model '"
                + card.id()
                + (card.latentClass()
                    ? "' draws each sample's class itself (latent class)"
                    : "' is unconditional"));
      }
      return -1;
    }
    if (!req.hasClassLabel()) {
      throw new InvalidArgument(
          "class_label is required for conditional model '" + card.id() + "': 0.." + (k - 1));
    }
    long label = Integer.toUnsignedLong(req.getClassLabel());
    if (label >= k) {
      throw new InvalidArgument("class_label must be in 0.." + (k - 1) + ", was " + label);
    }
    return (int) label;
  }

  /** A Step with every tensor for every sample must fit the clients' receive limit. */
  private void checkMessageSize(
      ModelCard card, int numSamples, StepContent content, int previewEvery) {
    long tensorBytes = 4L * card.dataDim() * numSamples;
    long pngBytes =
        (long) card.dataDim() * numSamples + 128L * numSamples; // worst case, uncompressed
    long step =
        (content.getState() ? tensorBytes : 0)
            + (content.getDenoised() ? tensorBytes : 0)
            + (content.getStatePng() ? pngBytes : 0)
            + (content.getDenoisedPng() ? pngBytes : 0);
    long completed = tensorBytes + pngBytes;
    long largest = Math.max(previewEvery > 0 ? step : 0, completed);
    if (largest > limits.maxMessageBytes()) {
      throw new InvalidArgument(
          "num_samples "
              + numSamples
              + " with the requested step_content makes "
              + largest
              + "-byte messages, over the "
              + limits.maxMessageBytes()
              + "-byte limit; ask for"
              + " fewer samples or fewer step tensors");
    }
  }

  /** Checks an unsigned proto field against [min, max]. */
  private static int range(String field, int unsigned, int min, int max) {
    long value = Integer.toUnsignedLong(unsigned);
    if (value < min || value > max) {
      throw new InvalidArgument(field + " must be in " + min + ".." + max + ", was " + value);
    }
    return (int) value;
  }

  private static void within(String field, double value, ModelCard card) {
    if (!(value >= card.sigmaMin() && value <= card.sigmaMax())) {
      throw new InvalidArgument(
          field
              + " must be in ["
              + card.sigmaMin()
              + ", "
              + card.sigmaMax()
              + "] for model '"
              + card.id()
              + "', was "
              + value);
    }
  }
}
