package dev.pfgm.server.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cards are checked against graphs at load; a bad folder is refused with a message, good ones load. */
class ModelRepositoryTest {

  static final Path SHIPPED = Path.of(System.getProperty("pfgm.models.dir", "../models"));
  static final String GOOD = "mnist-exact-d128";

  @TempDir
  Path dir;

  /** Copies the good model into dir/name, editing its card. */
  Path variant(String name, UnaryOperator<String> card) throws IOException {
    Path folder = Files.createDirectories(dir.resolve(name));
    Files.copy(SHIPPED.resolve(GOOD).resolve("model.onnx"), folder.resolve("model.onnx"));
    Files.copy(SHIPPED.resolve(GOOD).resolve("check.json"), folder.resolve("check.json"));
    String json = Files.readString(SHIPPED.resolve(GOOD).resolve("model.json"));
    Files.writeString(folder.resolve("model.json"), card.apply(json.replace("\"" + GOOD + "\"", "\"" + name + "\"")));
    return folder;
  }

  void fixture(Path folder, String resource) throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/fixtures/" + resource)) {
      Files.copy(in, folder.resolve("model.onnx"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Files.delete(folder.resolve("check.json"));
  }

  String refusal(ModelRepository repo, String folder) {
    return repo.refusals().stream().filter(m -> m.contains(dir.resolve(folder).toString())).findFirst()
        .orElseThrow(() -> new AssertionError(folder + " was not refused: " + repo.refusals()));
  }

  @Test
  void brokenFoldersAreRefusedWithTheirReasonWhileGoodModelsLoad() throws Exception {
    variant("good", s -> s);
    Files.write(variant("garbage", s -> s).resolve("model.onnx"), new byte[] {1, 2, 3, 4, 5});
    variant("wrong-shape", s -> s.replace("[1, 28, 28]", "[1, 8, 8]").replace("[1,28,28]", "[1,8,8]"));
    variant("no-sigma-max", s -> s.replaceAll("\"sigma_max\":\\s*80,", ""));
    variant("claims-classes", s -> s.replaceAll("\"class_labels\":\\s*\\[\\]", "\"class_labels\": [\"a\", \"b\"]"));
    variant("drifted", s -> s);
    Path check = dir.resolve("drifted/check.json");
    Files.writeString(check, Files.readString(check).replaceFirst("(\"denoised\":\\s*\\[)\\s*[-0-9.eE+]+", "$19.0"));
    fixture(variant("float64", s -> s), "float64-input.onnx");
    fixture(variant("fixed-batch", s -> s), "fixed-batch.onnx");
    Files.createDirectories(dir.resolve("no-onnx"));
    Files.writeString(dir.resolve("no-onnx/model.json"), Files.readString(dir.resolve("good/model.json")).replace("\"good\"", "\"no-onnx\""));

    try (ModelRepository repo = ModelRepository.load(dir, RuntimeOptions.DEFAULTS)) {
      assertEquals(Set.of("good"), repo.models().keySet());
      assertEquals(8, repo.refusals().size(), String.join("\n", repo.refusals()));
      assertTrue(refusal(repo, "garbage").contains("cannot be loaded by ONNX Runtime"));
      assertTrue(refusal(repo, "wrong-shape").contains("input x has shape [-1, 1, 28, 28] but the card says [-1, 1, 8, 8]"),
          refusal(repo, "wrong-shape"));
      assertTrue(refusal(repo, "no-sigma-max").contains("missing required key 'sigma_max'"));
      assertTrue(refusal(repo, "claims-classes").contains("needs [class_labels, sigma, x]")
          || refusal(repo, "claims-classes").contains("class_labels"), refusal(repo, "claims-classes"));
      assertTrue(refusal(repo, "drifted").contains("differs from check.json"), refusal(repo, "drifted"));
      assertTrue(refusal(repo, "float64").contains("input x must be float32, is DOUBLE"), refusal(repo, "float64"));
      assertTrue(refusal(repo, "fixed-batch").contains("fixed batch dimension 4"), refusal(repo, "fixed-batch"));
      assertTrue(refusal(repo, "no-onnx").contains("model.onnx is missing"), refusal(repo, "no-onnx"));
    }
  }

  @Test
  void theNetworkInputReachingOrtIsFloat32() throws Exception {
    try (ModelRepository repo = ModelRepository.load(SHIPPED, RuntimeOptions.DEFAULTS);
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        OrtSession session = OrtEnvironment.getEnvironment().createSession(
            SHIPPED.resolve(GOOD).resolve("model.onnx").toString(), so)) {
      assertTrue(repo.models().containsKey(GOOD));
      for (String input : List.of("x", "sigma")) {
        TensorInfo info = (TensorInfo) session.getInputInfo().get(input).getInfo();
        assertEquals(OnnxJavaType.FLOAT, info.type, input);
      }
      // The served network evaluates float32 rows: the same call twice gives the same floats.
      OrtFieldNetwork net = repo.models().get(GOOD).network();
      float[] x = new float[2 * 784];
      x[5] = 0.25f;
      float[] sigma = {0.5f, 3f};
      assertArrayEquals(net.denoise(x, sigma, null, 2), net.denoise(x, sigma, null, 2));
    }
  }

  @Test
  void closingANetworkWhileOtherThreadsRunItNeverFreesTheSessionMidRun() throws Exception {
    ModelRepository repo = ModelRepository.load(SHIPPED, RuntimeOptions.DEFAULTS);
    OrtFieldNetwork net = repo.models().get(GOOD).network();
    float[] x = new float[64 * 784];
    float[] sigma = new float[64];
    java.util.Arrays.fill(sigma, 1f);
    java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
    Thread[] threads = new Thread[3];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 200; i++) {
          try {
            net.denoise(x, sigma, null, 64);
            runs.incrementAndGet();
          } catch (dev.pfgm.server.engine.NetworkFailure e) {
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            failures.incrementAndGet();
          }
        }
      });
      threads[t].start();
    }
    while (runs.get() < 5) {
      Thread.sleep(1);
    }
    repo.close();
    for (Thread t : threads) {
      t.join();
    }
    assertTrue(failures.get() > 0, "runs after close fail cleanly instead of crashing the JVM");
  }
}
