package dev.pfgm.server.runtime;

import dev.pfgm.server.engine.NetworkFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs a model's stored input/output vector ({@code check.json}: x, sigma, optional class_labels,
 * denoised; written by the export pipeline) and refuses the model when the outputs differ by more
 * than {@link #TOLERANCE}.
 */
final class ReferenceCheck {

  static final double TOLERANCE = 1e-5;

  private ReferenceCheck() {}

  static void verify(Path folder, OrtFieldNetwork network) throws ModelLoadException {
    Path file = folder.resolve("check.json");
    if (!Files.isRegularFile(file)) {
      return;
    }
    JsonObject o;
    try {
      o = new JsonObject(Files.readString(file));
    } catch (IOException | DecodeException e) {
      throw new ModelLoadException("check.json cannot be read: " + e.getMessage());
    }
    float[] sigma = floats(o.getJsonArray("sigma"));
    float[] x = floats(o.getJsonArray("x"));
    float[] expected = floats(o.getJsonArray("denoised"));
    float[] labels = o.containsKey("class_labels") ? floats(o.getJsonArray("class_labels")) : null;
    int rows = sigma.length;
    if (x.length != rows * network.dataDim() || expected.length != x.length) {
      throw new ModelLoadException("check.json sizes do not match the model shape");
    }
    float[] actual;
    try {
      actual = network.denoise(x, sigma, labels, rows);
    } catch (NetworkFailure e) {
      throw new ModelLoadException("check.json input fails to run: " + e.getMessage());
    }
    double worst = 0;
    for (int i = 0; i < actual.length; i++) {
      worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    }
    if (!(worst <= TOLERANCE)) {
      throw new ModelLoadException("output differs from check.json by " + worst + " (tolerance " + TOLERANCE + ")");
    }
  }

  private static float[] floats(JsonArray a) throws ModelLoadException {
    if (a == null) {
      throw new ModelLoadException("check.json misses x, sigma or denoised");
    }
    float[] f = new float[a.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = a.getNumber(i).floatValue();
    }
    return f;
  }
}
