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
  public void denoise(NetworkIo io, int rows) {
    float[] s = new float[rows];
    io.sigma().get(0, s);
    calls.add(new Call(s));
    for (int r = 0; r < rows; r++) {
      float first = io.x().get(r * dataDim);
      if (first == poison) {
        throw new IllegalStateException("injected runtime failure");
      }
      float scale = SIGMA_DATA * SIGMA_DATA / (s[r] * s[r] + SIGMA_DATA * SIGMA_DATA);
      for (int k = 0; k < dataDim; k++) {
        io.out().put(r * dataDim + k, first == nanTrigger ? Float.NaN : io.x().get(r * dataDim + k) * scale);
      }
    }
  }
}
