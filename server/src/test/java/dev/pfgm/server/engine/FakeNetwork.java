package dev.pfgm.server.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The linear Gaussian denoiser D(x, sigma) = x * sd^2 / (sigma^2 + sd^2) in float32, row by row (so
 * results do not depend on batch composition). Records every call; can be told to fail.
 *
 * <p>With classes it is the exact denoiser of N(mu_c, sd^2), mu_c = {@link #CLASS_SPACING} * c for
 * the row's one-hot class c: D = mu_c + (x - mu_c) * sd^2 / (sigma^2 + sd^2). Like a conditional
 * network, each row's output depends on that row's own label, so a row given another row's label
 * ends near the wrong mean.
 */
final class FakeNetwork implements FieldNetwork {

  static final float SIGMA_DATA = 0.5f;

  /** Distance between the class means, in every element: far beyond the final spread (about sd). */
  static final float CLASS_SPACING = 4f;

  /** One recorded call: its rows' noise levels. */
  record Call(float[] sigma) {}

  final int dataDim;
  final int numClasses;
  final List<Call> calls = new ArrayList<>();

  /** Rows whose first element equals this value make the whole call throw. */
  float poison = Float.NaN;

  /** Rows whose first element equals this value come back as NaN. */
  float nanTrigger = Float.NaN;

  FakeNetwork(int dataDim) {
    this(dataDim, 0);
  }

  FakeNetwork(int dataDim, int numClasses) {
    this.dataDim = dataDim;
    this.numClasses = numClasses;
  }

  @Override
  public int dataDim() {
    return dataDim;
  }

  @Override
  public int numClasses() {
    return numClasses;
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
      float mean = CLASS_SPACING * classOf(io, r);
      for (int k = 0; k < dataDim; k++) {
        float d = mean + (io.x().get(r * dataDim + k) - mean) * scale;
        io.out().put(r * dataDim + k, first == nanTrigger ? Float.NaN : d);
      }
    }
  }

  /** The hot index of row r's one-hot label; 0 without classes. */
  private int classOf(NetworkIo io, int r) {
    for (int c = 0; c < numClasses; c++) {
      if (io.labels().get(r * numClasses + c) == 1f) {
        return c;
      }
    }
    return 0;
  }
}
