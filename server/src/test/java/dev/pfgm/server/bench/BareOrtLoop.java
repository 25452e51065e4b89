package dev.pfgm.server.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.pfgm.server.engine.NetworkIo;
import dev.pfgm.server.runtime.ModelCard;
import dev.pfgm.server.runtime.OrtFieldNetwork;
import dev.pfgm.server.sampler.Prior;
import dev.pfgm.server.sampler.SampleSeeds;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import dev.pfgm.server.sampler.Trajectory;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
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
  private final ModelCard card;

  BareOrtLoop(OrtSession session, ModelCard card) {
    this.session = session;
    this.card = card;
  }

  /**
   * The class rows the server feeds a latent-class model's network (each sample's drawn class),
   * null for an unconditional one. A conditional model is refused: the benchmark's requests name no
   * class.
   */
  static float[] classRows(ModelCard card, int rows, long seed) {
    if (card.conditional()) {
      throw new IllegalArgumentException(
          "the benchmark sends no class_label: choose a model whose requests name no class");
    }
    int k = card.networkClasses();
    if (k == 0) {
      return null;
    }
    float[] oneHot = new float[rows * k];
    for (int r = 0; r < rows; r++) {
      oneHot[r * k + SampleSeeds.latentClass(card.latentClassPrior(), seed + r)] = 1f;
    }
    return oneHot;
  }

  /**
   * One generation of `rows` images with the same calls the server makes: the same prior, schedule
   * and Heun/Euler trajectories, one ONNX call per evaluation with every row, no engine, no event
   * loop, no streaming.
   */
  void generate(int rows, SolverKind solver, Schedule schedule, double augmentDim, long seed)
      throws Exception {
    int[] shape = card.shape();
    int n = card.dataDim();
    Prior prior = Prior.of(augmentDim, n, schedule.sigma(0));
    List<Trajectory> ts = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      ts.add(new Trajectory(solver, schedule, prior.sample(SampleSeeds.rng(seed + r))));
    }
    // The best I/O ONNX Runtime Java offers, as the server uses: direct buffers written once and
    // read in place, the output pinned into a direct buffer, one widening pass out.
    int classes = card.networkClasses();
    NetworkIo io = NetworkIo.allocate(rows, n, classes);
    float[] oneHot = classRows(card, rows, seed);
    if (oneHot != null) {
      io.labels().put(0, oneHot);
    }
    long[] imageShape = {rows, shape[0], shape[1], shape[2]};
    while (!ts.get(0).done()) {
      for (int r = 0; r < rows; r++) {
        double[] q = ts.get(r).query();
        for (int k = 0; k < n; k++) {
          io.x().put(r * n + k, (float) q[k]);
        }
        io.sigma().put(r, (float) ts.get(r).querySigma());
      }
      Map<String, OnnxTensor> inputs = new HashMap<>();
      try (OnnxTensor xt = OnnxTensor.createTensor(env, io.x(), imageShape);
          OnnxTensor st = OnnxTensor.createTensor(env, io.sigma(), new long[] {rows});
          OnnxTensor ct =
              classes == 0
                  ? null
                  : OnnxTensor.createTensor(env, io.labels(), new long[] {rows, classes});
          OnnxTensor out = OnnxTensor.createTensor(env, io.out(), imageShape)) {
        inputs.put("x", xt);
        inputs.put("sigma", st);
        if (ct != null) {
          inputs.put("class_labels", ct);
        }
        try (OrtSession.Result res = session.run(inputs, Map.of("denoised", out))) {
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
}
