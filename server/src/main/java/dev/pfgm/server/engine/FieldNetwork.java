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
   * Evaluates the denoiser.
   *
   * @param x      [rows][C*H*W] NCHW, float32
   * @param sigma  [rows]
   * @param labels [rows][numClasses] one-hot, or null when numClasses() == 0
   * @param rows   number of rows used (the arrays may be longer)
   * @return [rows][C*H*W] denoised estimates
   * @throws NetworkFailure when the runtime fails
   */
  float[] denoise(float[] x, float[] sigma, float[] labels, int rows);
}
