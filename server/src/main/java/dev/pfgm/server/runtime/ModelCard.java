package dev.pfgm.server.runtime;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's card ({@code model.json}): what the network is and how to sample it. See
 * models/README.md for the schema.
 *
 * @param augmentDim D; {@link Double#POSITIVE_INFINITY} for diffusion (card value "inf")
 * @param shape      [C, H, W]
 * @param sigmaData  EDM's sigma_data of a preconditioned network, NaN when the card says null
 */
public record ModelCard(String id, String description, double augmentDim, int[] shape,
    double sigmaMin, double sigmaMax, double rho, int defaultSteps, String defaultSolver,
    double sigmaData, List<String> classLabels, String dataset, String license, JsonObject provenance) {

  /** C*H*W. */
  public int dataDim() {
    return shape[0] * shape[1] * shape[2];
  }

  public boolean conditional() {
    return !classLabels.isEmpty();
  }

  /** Parses and validates a card; every message names the key and the rule. */
  public static ModelCard parse(String json) throws ModelLoadException {
    JsonObject o;
    try {
      o = new JsonObject(json);
    } catch (DecodeException e) {
      throw new ModelLoadException("model.json is not valid JSON: " + e.getMessage());
    }
    try {
      String id = require(o.getString("id"), "id");
      if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new ModelLoadException("model.json: id must match [A-Za-z0-9._-]{1,64}, was '" + id + "'");
      }
      Object d = require(o.getValue("augment_dim"), "augment_dim");
      double augmentDim = "inf".equals(d) ? Double.POSITIVE_INFINITY
          : d instanceof Number n ? n.doubleValue() : Double.NaN;
      if (!(augmentDim > 0)) {
        throw new ModelLoadException("model.json: augment_dim must be a positive number or \"inf\", was " + d);
      }
      JsonArray s = require(o.getJsonArray("shape"), "shape");
      if (s.size() != 3) {
        throw new ModelLoadException("model.json: shape must be [C, H, W], was " + s);
      }
      int[] shape = new int[3];
      for (int i = 0; i < 3; i++) {
        shape[i] = s.getInteger(i);
        if (shape[i] < 1 || shape[i] > 4096) {
          throw new ModelLoadException("model.json: shape entries must be in 1..4096, was " + s);
        }
      }
      double sigmaMin = require(o.getDouble("sigma_min"), "sigma_min");
      double sigmaMax = require(o.getDouble("sigma_max"), "sigma_max");
      if (!(sigmaMin > 0 && sigmaMin < sigmaMax && Double.isFinite(sigmaMax))) {
        throw new ModelLoadException("model.json: need 0 < sigma_min < sigma_max, was sigma_min="
            + sigmaMin + " sigma_max=" + sigmaMax);
      }
      double rho = require(o.getDouble("rho"), "rho");
      if (!(rho > 0 && rho <= 100)) {
        throw new ModelLoadException("model.json: rho must be in (0, 100], was " + rho);
      }
      int defaultSteps = require(o.getInteger("default_steps"), "default_steps");
      if (defaultSteps < 1 || defaultSteps > 1000) {
        throw new ModelLoadException("model.json: default_steps must be in 1..1000, was " + defaultSteps);
      }
      String solver = require(o.getString("default_solver"), "default_solver");
      if (!solver.equals("heun") && !solver.equals("euler")) {
        throw new ModelLoadException("model.json: default_solver must be \"heun\" or \"euler\", was \"" + solver + "\"");
      }
      Double sigmaData = o.getDouble("sigma_data");
      List<String> labels = new ArrayList<>();
      for (Object l : o.getJsonArray("class_labels", new JsonArray())) {
        labels.add(String.valueOf(l));
      }
      return new ModelCard(id, o.getString("description", ""), augmentDim, shape, sigmaMin, sigmaMax,
          rho, defaultSteps, solver, sigmaData == null ? Double.NaN : sigmaData, List.copyOf(labels),
          o.getString("dataset", ""), o.getString("license", ""),
          o.getJsonObject("provenance", new JsonObject()));
    } catch (ClassCastException e) {
      throw new ModelLoadException("model.json: a key has the wrong type: " + e.getMessage());
    }
  }

  private static <T> T require(T value, String key) throws ModelLoadException {
    if (value == null) {
      throw new ModelLoadException("model.json: missing required key '" + key + "'");
    }
    return value;
  }
}
