package dev.pfgm.server.runtime;

import dev.pfgm.server.engine.NetworkFailure;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Runs a model's stored input/output vector ({@code check.json}: x, sigma, class_labels for a
 * conditional model, denoised; written by the export pipeline) and refuses the model when the
 * outputs differ by more than its {@code atol} (default {@link #TOLERANCE}, at most {@link
 * #MAX_TOLERANCE}) or are not finite. A folder without check.json is served unchecked.
 */
final class ReferenceCheck {

  static final double TOLERANCE = 1e-5;

  /**
   * The loosest atol a check may state: beyond it the check would no longer catch a wrong graph.
   */
  static final double MAX_TOLERANCE = 1e-2;

  private ReferenceCheck() {}

  static void verify(Path folder, OrtFieldNetwork network) throws ModelLoadException {
    Path file = folder.resolve("check.json");
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    JsonFields check = JsonFields.parse("check.json", ModelFolder.read(file));
    float[] sigma = check.floats("sigma"); // [rows]
    float[] x = check.floats("x"); // [rows][C*H*W], NCHW
    float[] expected = check.floats("denoised"); // [rows][C*H*W], NCHW
    double tolerance = TOLERANCE;
    if (check.has("atol")) {
      tolerance = check.number("atol");
      if (!(tolerance > 0 && tolerance <= MAX_TOLERANCE)) {
        throw check.fail("atol", "must be in (0, " + MAX_TOLERANCE + "]", tolerance);
      }
    }
    int rows = sigma.length;
    if (rows == 0) {
      throw new ModelLoadException("check.json: sigma must hold at least one value, was []");
    }
    for (int i = 0; i < rows; i++) {
      if (!(sigma[i] > 0)) {
        throw check.fail("sigma[" + i + "]", "must be positive", sigma[i]);
      }
    }
    long need = (long) rows * network.dataDim();
    if (x.length != need) {
      throw new ModelLoadException(
          "check.json: x has "
              + x.length
              + " values; "
              + rows
              + " rows (sigma) of C·H·W = "
              + network.dataDim()
              + " need "
              + need);
    }
    if (expected.length != x.length) {
      throw new ModelLoadException(
          "check.json: denoised has " + expected.length + " values, x has " + x.length);
    }
    float[] labels = labels(check, rows, network.numClasses());
    float[] actual;
    try {
      actual = network.denoise(x, sigma, labels, rows);
    } catch (NetworkFailure e) {
      throw new ModelLoadException("check.json input fails to run: " + e.getMessage(), e);
    }
    double worst = 0;
    for (int i = 0; i < actual.length; i++) {
      if (!Float.isFinite(actual[i])) {
        throw new ModelLoadException(
            "output for the check.json input is not finite: denoised[" + i + "] = " + actual[i]);
      }
      worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    }
    if (!(worst <= tolerance)) {
      throw new ModelLoadException(
          "output differs from check.json by " + worst + " (atol " + tolerance + ")");
    }
  }

  /** class_labels: [rows][K] for a conditional model, absent for an unconditional one. */
  private static float[] labels(JsonFields check, int rows, int numClasses)
      throws ModelLoadException {
    if (numClasses == 0) {
      if (check.has("class_labels")) {
        throw new ModelLoadException(
            "check.json has class_labels but the card has none (unconditional)");
      }
      return null;
    }
    float[] labels = check.floats("class_labels");
    if (labels.length != (long) rows * numClasses) {
      throw new ModelLoadException(
          "check.json: class_labels has "
              + labels.length
              + " values; "
              + rows
              + " rows of "
              + numClasses
              + " classes need "
              + rows * numClasses);
    }
    return labels;
  }
}
