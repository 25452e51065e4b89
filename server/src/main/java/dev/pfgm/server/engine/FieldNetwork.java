package dev.pfgm.server.engine;

/**
 * The field network D(x, sigma): one call evaluates a batch of rows, each row at its own noise
 * level, so rows from different requests and steps can share one call.
 */
public interface FieldNetwork {

  /** Elements per row: C*H*W. */
  int dataDim();

  /** Width of the one-hot class input, 0 for unconditional networks. */
  int numClasses();

  /**
   * Evaluates the denoiser on the first {@code rows} rows of {@code io}, writing {@code io.out()}.
   *
   * @throws NetworkFailure when the runtime fails
   */
  void denoise(NetworkIo io, int rows);

  /**
   * Evaluates the denoiser on arrays (copies in and out: for checks and warm-up, not the hot path).
   *
   * @param x [rows][C*H*W] NCHW, float32
   * @param sigma [rows]
   * @param labels [rows][numClasses] one-hot, or null when numClasses() == 0
   * @return [rows][C*H*W] denoised estimates
   */
  default float[] denoise(float[] x, float[] sigma, float[] labels, int rows) {
    int n = dataDim();
    NetworkIo io = NetworkIo.allocate(rows, n, numClasses());
    io.x().put(0, x, 0, rows * n);
    io.sigma().put(0, sigma, 0, rows);
    if (io.labels() != null) {
      io.labels().put(0, labels, 0, rows * numClasses());
    }
    denoise(io, rows);
    float[] out = new float[rows * n];
    io.out().get(0, out);
    return out;
  }
}
