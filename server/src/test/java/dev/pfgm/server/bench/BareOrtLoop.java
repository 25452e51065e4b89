package dev.pfgm.server.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.pfgm.server.engine.NetworkIo;
import dev.pfgm.server.runtime.OrtFieldNetwork;
import dev.pfgm.server.sampler.Prior;
import dev.pfgm.server.sampler.SampleSeeds;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import dev.pfgm.server.sampler.Trajectory;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The baseline: ONNX Runtime Java called in a plain loop with the same calls a generation makes, no
 * engine, no event loop, no streaming. It drives the server's own session: two sessions of the same
 * model with the same options differ by several percent in 1-row call time depending on their
 * history (a session that has ever run a batch of more than one row is ~5 % slower at one row,
 * measured), and the comparison is about the serving path, not that.
 */
final class BareOrtLoop {

  /**
   * The served network's own session. OrtFieldNetwork keeps it private (nothing in the server needs
   * it), so this benchmark-only reach goes through reflection; never close it.
   */
  static OrtSession sessionOf(OrtFieldNetwork network) {
    try {
      Field f = OrtFieldNetwork.class.getDeclaredField("session");
      f.setAccessible(true);
      return (OrtSession) f.get(network);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "OrtFieldNetwork no longer holds its session in a field 'session'", e);
    }
  }

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final int[] shape;

  BareOrtLoop(OrtSession session, int[] shape) {
    this.session = session;
    this.shape = shape;
  }

  /**
   * One generation of `rows` images with the same calls the server makes: the same prior, schedule
   * and Heun/Euler trajectories, one ONNX call per evaluation with every row, no engine, no event
   * loop, no streaming.
   */
  void generate(int rows, SolverKind solver, Schedule schedule, double augmentDim, long seed)
      throws Exception {
    int n = shape[0] * shape[1] * shape[2];
    Prior prior = Prior.of(augmentDim, n, schedule.sigma(0));
    List<Trajectory> ts = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      ts.add(new Trajectory(solver, schedule, prior.sample(SampleSeeds.rng(seed + r))));
    }
    // The best I/O ONNX Runtime Java offers, as the server uses: direct buffers written once and
    // read in place, the output pinned into a direct buffer, one widening pass out.
    NetworkIo io = NetworkIo.allocate(rows, n, 0);
    long[] imageShape = {rows, shape[0], shape[1], shape[2]};
    while (!ts.get(0).done()) {
      for (int r = 0; r < rows; r++) {
        double[] q = ts.get(r).query();
        for (int k = 0; k < n; k++) {
          io.x().put(r * n + k, (float) q[k]);
        }
        io.sigma().put(r, (float) ts.get(r).querySigma());
      }
      try (OnnxTensor xt = OnnxTensor.createTensor(env, io.x(), imageShape);
          OnnxTensor st = OnnxTensor.createTensor(env, io.sigma(), new long[] {rows});
          OnnxTensor out = OnnxTensor.createTensor(env, io.out(), imageShape);
          OrtSession.Result res =
              session.run(Map.of("x", xt, "sigma", st), Map.of("denoised", out))) {
        double[] d = new double[n];
        for (int r = 0; r < rows; r++) {
          for (int k = 0; k < n; k++) {
            d[k] = io.out().get(r * n + k);
          }
          ts.get(r).supply(d);
        }
      }
    }
  }
}
