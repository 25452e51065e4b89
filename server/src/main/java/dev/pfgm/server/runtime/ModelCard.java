package dev.pfgm.server.runtime;

import dev.pfgm.server.engine.EngineLimits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's card ({@code model.json}): what the network is and how to sample it. See
 * models/README.md for the schema.
 *
 * @param augmentDim D; {@link Double#POSITIVE_INFINITY} for diffusion (card value "inf")
 * @param shape [C, H, W]
 * @param sigmaData EDM's sigma_data of a preconditioned network, NaN when the card says null
 * @param classLabels the classes a request names (class_label), empty for a model without them
 * @param latentClassPrior the probabilities of the network's classes when the class is latent: a
 *     model whose network is class-conditional but whose requests name no class; the sampler draws
 *     each sample's class from this prior (empty for every other model)
 */
public record ModelCard(
    String id,
    String description,
    double augmentDim,
    int[] shape,
    double sigmaMin,
    double sigmaMax,
    double rho,
    int defaultSteps,
    String defaultSolver,
    double sigmaData,
    List<String> classLabels,
    double[] latentClassPrior,
    String dataset,
    String license,
    JsonObject provenance) {

  /** C*H*W. */
  public int dataDim() {
    return shape[0] * shape[1] * shape[2];
  }

  /** Whether a request names the class (class_label). */
  public boolean conditional() {
    return !classLabels.isEmpty();
  }

  /** Whether the network is class-conditional but the class is drawn from a prior per sample. */
  public boolean latentClass() {
    return latentClassPrior.length > 0;
  }

  /** K of the network's class_labels input [B, K]; 0 when the network has no such input. */
  public int networkClasses() {
    return conditional() ? classLabels.size() : latentClassPrior.length;
  }

  /**
   * Most values in one sample (C·H·W): the engine packs up to 4096 rows ({@link
   * EngineLimits#BATCH_ROWS}) into one float array per network call, and 4096 · 2^18 = 2^30 stays
   * below Java's array limit of 2^31 − 1.
   */
  public static final int MAX_DATA_DIM = (1 << 30) / EngineLimits.BATCH_ROWS.max();

  /**
   * The rule for rho, the schedule's curvature, in a card and in a request that overrides it: one
   * rule, so a card's own rho is always one a request may ask for.
   */
  public static final String RHO_RULE = "must be in (0, 100]";

  /** Whether {@code rho} keeps {@link #RHO_RULE} (NaN does not). */
  public static boolean rhoAllowed(double rho) {
    return rho > 0 && rho <= 100;
  }

  /** Parses and validates a card; every message names the key, the rule and the value. */
  public static ModelCard parse(String json) throws ModelLoadException {
    JsonFields card = JsonFields.parse("model.json", json);
    String id = card.string("id");
    if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
      throw card.fail("id", "must match [A-Za-z0-9._-]{1,64}", id);
    }
    Object d = card.required("augment_dim");
    double augmentDim =
        "inf".equals(d)
            ? Double.POSITIVE_INFINITY
            : d instanceof Number n ? n.doubleValue() : Double.NaN;
    if (!(augmentDim > 0) || (augmentDim == Double.POSITIVE_INFINITY && !"inf".equals(d))) {
      throw card.fail("augment_dim", "must be a positive finite number or \"inf\"", d);
    }
    int[] shape = shape(card);
    double sigmaMin = card.number("sigma_min");
    double sigmaMax = card.number("sigma_max");
    if (!(sigmaMin > 0 && sigmaMin < sigmaMax)) {
      throw new ModelLoadException(
          "model.json: need 0 < sigma_min < sigma_max, was sigma_min="
              + sigmaMin
              + " sigma_max="
              + sigmaMax);
    }
    double rho = card.number("rho");
    if (!rhoAllowed(rho)) {
      throw card.fail("rho", RHO_RULE, rho);
    }
    int defaultSteps = card.integer("default_steps", 1, 1000);
    String solver = card.string("default_solver");
    if (!solver.equals("heun") && !solver.equals("euler")) {
      throw card.fail("default_solver", "must be \"heun\" or \"euler\"", solver);
    }
    return new ModelCard(
        id,
        card.stringOr("description", ""),
        augmentDim,
        shape,
        sigmaMin,
        sigmaMax,
        rho,
        defaultSteps,
        solver,
        sigmaData(card),
        classLabels(card),
        latentClassPrior(card),
        card.stringOr("dataset", ""),
        card.stringOr("license", ""),
        card.object("provenance"));
  }

  /** [C, H, W]: positive integers, C = 1 or 3 (PNG previews), at most MAX_DATA_DIM values. */
  private static int[] shape(JsonFields card) throws ModelLoadException {
    Object v = card.required("shape");
    if (!(v instanceof JsonArray s) || s.size() != 3) {
      throw card.fail("shape", "must be [C, H, W]", v);
    }
    int[] shape = new int[3];
    for (int i = 0; i < 3; i++) {
      shape[i] = card.asInteger("shape[" + i + "]", s.getValue(i), 1, MAX_DATA_DIM);
    }
    if (shape[0] != 1 && shape[0] != 3) {
      throw new ModelLoadException(
          "model.json: shape[0] = "
              + shape[0]
              + " channels: PNG previews need 1 (grayscale) or 3 (RGB)");
    }
    long values = (long) shape[0] * shape[1] * shape[2];
    if (values > MAX_DATA_DIM) {
      throw new ModelLoadException(
          "model.json: shape "
              + s.encode()
              + " has "
              + values
              + " values per sample, more than "
              + MAX_DATA_DIM
              + " (C·H·W)");
    }
    return shape;
  }

  /** sigma_data: absent or null gives NaN (no preconditioning); else a positive number. */
  private static double sigmaData(JsonFields card) throws ModelLoadException {
    Object v = card.has("sigma_data") ? card.required("sigma_data") : null;
    if (v == null) {
      return Double.NaN;
    }
    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      throw card.fail("sigma_data", "must be a finite number or null", v);
    }
    if (!(n.doubleValue() > 0)) {
      throw card.fail("sigma_data", "must be positive or null", n.doubleValue());
    }
    return n.doubleValue();
  }

  /**
   * class_labels: absent gives [] (unconditional); else at most MAX_DATA_DIM strings (the engine
   * packs rows × K one-hot labels into one array, as it does rows × C·H·W values).
   */
  private static List<String> classLabels(JsonFields card) throws ModelLoadException {
    if (!card.has("class_labels")) {
      return List.of();
    }
    JsonArray a = card.array("class_labels");
    if (a.size() > MAX_DATA_DIM) {
      throw new ModelLoadException(
          "model.json: class_labels has " + a.size() + " labels, more than " + MAX_DATA_DIM);
    }
    List<String> labels = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      labels.add(card.asString("class_labels[" + i + "]", a.getValue(i)));
    }
    return List.copyOf(labels);
  }

  /**
   * latent_class_prior: absent gives [] (no latent class); else probabilities, each finite and >=
   * 0, summing to 1 within 1e-6, at most MAX_DATA_DIM of them, on a card without class_labels.
   */
  private static double[] latentClassPrior(JsonFields card) throws ModelLoadException {
    if (!card.has("latent_class_prior")) {
      return new double[0];
    }
    JsonArray a = card.array("latent_class_prior");
    if (a.isEmpty() || a.size() > MAX_DATA_DIM) {
      throw card.fail(
          "latent_class_prior", "must hold 1.." + MAX_DATA_DIM + " probabilities", a.size());
    }
    if (card.has("class_labels") && !card.array("class_labels").isEmpty()) {
      throw new ModelLoadException(
          "model.json: class_labels and latent_class_prior exclude each other: a request either"
              + " names the class or the sampler draws it");
    }
    double[] prior = new double[a.size()];
    double sum = 0;
    for (int i = 0; i < prior.length; i++) {
      String field = "latent_class_prior[" + i + "]";
      prior[i] = card.asNumber(field, a.getValue(i));
      if (prior[i] < 0) {
        throw card.fail(field, "must be >= 0", prior[i]);
      }
      sum += prior[i];
    }
    if (Math.abs(sum - 1) > 1e-6) {
      throw card.fail("latent_class_prior", "must sum to 1 (within 1e-6)", sum);
    }
    return prior;
  }
}
