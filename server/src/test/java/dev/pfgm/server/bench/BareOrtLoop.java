package dev.pfgm.server.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * The baseline: ONNX Runtime Java called in a plain loop with the same calls a generation makes
 * (NFE calls of `rows` rows, sigma falling), no server, no streaming, no solver bookkeeping beyond
 * the Heun arithmetic.
 */
final class BareOrtLoop implements AutoCloseable {

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final int[] shape;

  BareOrtLoop(Path onnx, int[] shape) throws Exception {
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    session = env.createSession(onnx.toString(), so);
    this.shape = shape;
  }

  /** One generation of `rows` images: nfe network calls with an Euler/Heun-like update. */
  void generate(int rows, double[] sigmas, int nfe) throws Exception {
    int n = shape[0] * shape[1] * shape[2];
    float[] x = new float[rows * n];
    java.util.Random rnd = new java.util.Random(1);
    for (int k = 0; k < x.length; k++) {
      x[k] = (float) (sigmas[0] * rnd.nextGaussian());
    }
    float[] sigma = new float[rows];
    for (int call = 0; call < nfe; call++) {
      double s = sigmas[Math.min(call / 2, sigmas.length - 2)];
      double next = sigmas[Math.min(call / 2, sigmas.length - 2) + 1];
      java.util.Arrays.fill(sigma, (float) s);
      try (OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {rows, shape[0], shape[1], shape[2]});
          OnnxTensor st = OnnxTensor.createTensor(env, FloatBuffer.wrap(sigma), new long[] {rows});
          OrtSession.Result r = session.run(Map.of("x", xt, "sigma", st))) {
        FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
        // Euler step (x - D)/sigma * (next - sigma).
        for (int k = 0; k < x.length; k++) {
          float d = out.get(k);
          x[k] = (float) (x[k] + (next - s) * (x[k] - d) / s);
        }
      }
    }
  }

  @Override
  public void close() throws Exception {
    session.close();
  }
}
