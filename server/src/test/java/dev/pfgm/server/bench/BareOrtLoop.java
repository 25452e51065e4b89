package dev.pfgm.server.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import dev.pfgm.server.sampler.Prior;
import dev.pfgm.server.sampler.SampleSeeds;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import dev.pfgm.server.sampler.Trajectory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The baseline: ONNX Runtime Java called in a plain loop with the same calls a generation makes,
 * no engine, no event loop, no streaming. It drives the server's own session: two sessions of the
 * same model with the same options differ by several percent in 1-row call time depending on
 * their history (a session that has ever run a batch of more than one row is ~5 % slower at one
 * row, measured), and the comparison is about the serving path, not that.
 */
final class BareOrtLoop {

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final int[] shape;

  BareOrtLoop(OrtSession session, int[] shape) {
    this.session = session;
    this.shape = shape;
  }

  /**
   * One generation of `rows` images with the same calls the server makes: the same prior, schedule
   * and Heun/Euler trajectories, one ONNX call per evaluation with every row, no engine, no
   * event loop, no streaming.
   */
  void generate(int rows, SolverKind solver, Schedule schedule, double augmentDim, long seed) throws Exception {
    int n = shape[0] * shape[1] * shape[2];
    Prior prior = Prior.of(augmentDim, n, schedule.sigma(0));
    List<Trajectory> ts = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      ts.add(new Trajectory(solver, schedule, prior.sample(SampleSeeds.rng(seed + r))));
    }
    float[] x = new float[rows * n];
    float[] sigma = new float[rows];
    while (!ts.get(0).done()) {
      for (int r = 0; r < rows; r++) {
        double[] q = ts.get(r).query();
        for (int k = 0; k < n; k++) {
          x[r * n + k] = (float) q[k];
        }
        sigma[r] = (float) ts.get(r).querySigma();
      }
      try (OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {rows, shape[0], shape[1], shape[2]});
          OnnxTensor st = OnnxTensor.createTensor(env, FloatBuffer.wrap(sigma), new long[] {rows});
          OrtSession.Result res = session.run(Map.of("x", xt, "sigma", st))) {
        FloatBuffer out = ((OnnxTensor) res.get(0)).getFloatBuffer();
        for (int r = 0; r < rows; r++) {
          double[] d = new double[n];
          for (int k = 0; k < n; k++) {
            d[k] = out.get(r * n + k);
          }
          ts.get(r).supply(d);
        }
      }
    }
  }
}
