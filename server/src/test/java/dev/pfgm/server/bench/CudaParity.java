package dev.pfgm.server.bench;

import dev.pfgm.server.runtime.LoadedModel;
import dev.pfgm.server.runtime.ModelRepository;
import dev.pfgm.server.runtime.RuntimeOptions;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * CUDA against CPU, model by model: the same inputs (rows at σ from σ_min to σ_max, batch 1 and 16)
 * through a CPU session and a CUDA session of each model folder; prints the largest absolute
 * difference and exits 1 when one is over the tolerance. Run by scripts/gpu-check.sh on a GPU
 * machine with the -Pcuda build:
 *
 * <pre>java -cp ... dev.pfgm.server.bench.CudaParity MODELS_DIR [TOLERANCE]</pre>
 *
 * The tolerance (default 1e-3) allows for TF32 and cuDNN's algorithm choice, which round
 * differently from the CPU kernels; a wrong graph or a broken provider differs by far more.
 */
public final class CudaParity {

  private CudaParity() {}

  public static void main(String[] args) throws Exception {
    Path models = Path.of(args[0]);
    double tolerance = args.length > 1 ? Double.parseDouble(args[1]) : 1e-3;
    boolean ok = true;
    try (ModelRepository cpu = ModelRepository.load(models, new RuntimeOptions("cpu", 0, false));
        ModelRepository cuda = ModelRepository.load(models, new RuntimeOptions("cuda", 0, false))) {
      System.out.println("| model | rows | max abs difference | tolerance | ok |");
      System.out.println("|---|---|---|---|---|");
      for (LoadedModel m : cpu.models().values()) {
        LoadedModel g = cuda.models().get(m.card().id());
        if (g == null) {
          System.out.println(
              "| " + m.card().id() + " | - | refused on CUDA: " + cuda.refusals() + " | | no |");
          ok = false;
          continue;
        }
        for (int rows : new int[] {1, 16}) {
          double worst = worst(m, g, rows);
          boolean pass = worst <= tolerance;
          ok &= pass;
          System.out.printf(
              Locale.ROOT,
              "| %s | %d | %.3g | %.0e | %s |%n",
              m.card().id(),
              rows,
              worst,
              tolerance,
              pass ? "yes" : "NO");
        }
      }
    }
    System.exit(ok ? 0 : 1);
  }

  private static double worst(LoadedModel cpu, LoadedModel cuda, int rows) {
    int n = cpu.network().dataDim();
    int k = cpu.network().numClasses();
    SplittableRandom random = new SplittableRandom(rows);
    float[] x = new float[rows * n];
    float[] sigma = new float[rows];
    float[] labels = k > 0 ? new float[rows * k] : null;
    double logMin = Math.log(cpu.card().sigmaMin());
    double logMax = Math.log(cpu.card().sigmaMax());
    for (int r = 0; r < rows; r++) {
      sigma[r] = (float) Math.exp(logMin + (logMax - logMin) * r / Math.max(1, rows - 1));
      for (int i = 0; i < n; i++) {
        x[r * n + i] = (float) (random.nextGaussian() * Math.sqrt(0.25 + sigma[r] * sigma[r]));
      }
      if (labels != null) {
        labels[r * k + r % k] = 1f;
      }
    }
    float[] a = cpu.network().denoise(x, sigma, labels, rows);
    float[] b = cuda.network().denoise(x, sigma, labels, rows);
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }
}
