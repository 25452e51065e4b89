package dev.pfgm.server.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The linear Gaussian denoiser D(x, sigma) = x * sd^2 / (sigma^2 + sd^2) in float32, row by row
 * (so results do not depend on batch composition). Records every call; can be told to fail.
 */
final class FakeNetwork implements FieldNetwork {

  static final float SIGMA_DATA = 0.5f;

  /** One recorded call: its rows' noise levels. */
  record Call(float[] sigma) {}

  final int dataDim;
  final List<Call> calls = new ArrayList<>();
  /** Rows whose first element equals this value make the whole call throw. */
  float poison = Float.NaN;
  /** Rows whose first element equals this value come back as NaN. */
  float nanTrigger = Float.NaN;

  FakeNetwork(int dataDim) {
    this.dataDim = dataDim;
  }

  @Override
  public int dataDim() {
    return dataDim;
  }

  @Override
  public int numClasses() {
    return 0;
  }

  @Override
  public float[] denoise(float[] x, float[] sigma, float[] labels, int rows) {
    float[] s = new float[rows];
    System.arraycopy(sigma, 0, s, 0, rows);
    calls.add(new Call(s));
    float[] out = new float[rows * dataDim];
    for (int r = 0; r < rows; r++) {
      if (x[r * dataDim] == poison) {
        throw new IllegalStateException("injected runtime failure");
      }
      float scale = SIGMA_DATA * SIGMA_DATA / (sigma[r] * sigma[r] + SIGMA_DATA * SIGMA_DATA);
      for (int k = 0; k < dataDim; k++) {
        out[r * dataDim + k] = x[r * dataDim] == nanTrigger ? Float.NaN : x[r * dataDim + k] * scale;
      }
    }
    return out;
  }
}
