package dev.pfgm.server.runtime;

import static dev.pfgm.server.runtime.ModelCopy.GOOD;
import static dev.pfgm.server.runtime.ModelCopy.SHIPPED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.pfgm.server.engine.NetworkFailure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cards are checked against graphs at load; a bad folder is refused with a message, good ones load.
 */
class ModelRepositoryTest {

  @TempDir Path dir;

  /** Copies the good model into dir/name, editing its card's text. */
  Path variant(String name, UnaryOperator<String> card) throws IOException {
    Path folder = ModelCopy.of(dir, name);
    Files.writeString(
        folder.resolve("model.json"), card.apply(Files.readString(folder.resolve("model.json"))));
    return folder;
  }

  void fixture(Path folder, String resource) throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/fixtures/" + resource)) {
      Files.copy(in, folder.resolve("model.onnx"), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.delete(folder.resolve("check.json"));
  }

  String refusal(ModelRepository repo, String folder) {
    return repo.refusals().stream()
        .filter(m -> m.contains(dir.resolve(folder).toString()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(folder + " was not refused: " + repo.refusals()));
  }

  @Test
  void brokenFoldersAreRefusedWithTheirReasonWhileGoodModelsLoad() throws Exception {
    variant("good", s -> s);
    Files.write(variant("garbage", s -> s).resolve("model.onnx"), new byte[] {1, 2, 3, 4, 5});
    variant("wrong-shape", s -> s.replaceAll("\\[\\s*1,\\s*28,\\s*28\\s*\\]", "[1, 8, 8]"));
    variant("no-sigma-max", s -> s.replaceAll("\"sigma_max\"\\s*:\\s*80,", ""));
    variant(
        "claims-classes",
        s ->
            s.replaceAll(
                "\"class_labels\"\\s*:\\s*\\[\\s*\\]", "\"class_labels\": [\"a\", \"b\"]"));
    variant("drifted", s -> s);
    Path check = dir.resolve("drifted/check.json");
    Files.writeString(
        check,
        Files.readString(check).replaceFirst("(\"denoised\":\\s*\\[)\\s*[-0-9.eE+]+", "$19.0"));
    fixture(variant("float64", s -> s), "float64-input.onnx");
    fixture(variant("fixed-batch", s -> s), "fixed-batch.onnx");
    Files.delete(variant("no-onnx", s -> s).resolve("model.onnx"));

    try (ModelRepository repo = ModelRepository.load(dir, RuntimeOptions.DEFAULTS)) {
      assertEquals(Set.of("good"), repo.models().keySet());
      assertEquals(8, repo.refusals().size(), String.join("\n", repo.refusals()));
      assertTrue(refusal(repo, "garbage").contains("cannot be loaded by ONNX Runtime"));
      assertTrue(
          refusal(repo, "wrong-shape")
              .contains("input x has shape [-1, 1, 28, 28] but the card says [-1, 1, 8, 8]"),
          refusal(repo, "wrong-shape"));
      assertTrue(refusal(repo, "no-sigma-max").contains("missing required key 'sigma_max'"));
      assertTrue(
          refusal(repo, "claims-classes").contains("but the card (conditional, 2 classes) needs"),
          refusal(repo, "claims-classes"));
      assertTrue(
          refusal(repo, "drifted").contains("differs from check.json"), refusal(repo, "drifted"));
      assertTrue(
          refusal(repo, "float64").contains("input x must be float32, is DOUBLE"),
          refusal(repo, "float64"));
      assertTrue(
          refusal(repo, "fixed-batch").contains("fixed batch dimension 4"),
          refusal(repo, "fixed-batch"));
      assertTrue(
          refusal(repo, "no-onnx").contains("model.onnx is missing"), refusal(repo, "no-onnx"));
    }
  }

  @Test
  void shippedModelsAllLoadWithoutAWarning() throws Exception {
    List<String> shipped;
    try (Stream<Path> s = Files.list(SHIPPED)) {
      shipped =
          s.filter(p -> Files.exists(p.resolve("model.json")))
              .map(p -> p.getFileName().toString())
              .sorted()
              .toList();
    }
    try (LogRecorder log = new LogRecorder(ModelRepository.class.getPackageName());
        ModelRepository repo = ModelRepository.load(SHIPPED, RuntimeOptions.DEFAULTS)) {
      assertTrue(shipped.contains(GOOD), "shipped models in " + SHIPPED + ": " + shipped);
      assertEquals(List.of(), repo.refusals());
      assertEquals(shipped, List.copyOf(repo.models().keySet()));
      assertEquals(List.of(), log.atLeast(Level.WARNING));
    }
  }

  @Test
  void foldersWithoutACardAreNamedAtInfoAndNotRefused() throws Exception {
    ModelCopy.of(dir, "good");
    Files.createDirectories(dir.resolve("notes"));
    Files.writeString(dir.resolve("README.md"), "not a folder");
    try (LogRecorder log = new LogRecorder(ModelRepository.class.getPackageName());
        ModelRepository repo = ModelRepository.load(dir, RuntimeOptions.DEFAULTS)) {
      assertEquals(Set.of("good"), repo.models().keySet());
      assertEquals(List.of(), repo.refusals());
      assertEquals(
          List.of("models folder " + dir + ": [notes] hold no model.json, not model folders"),
          log.at(Level.INFO).stream().filter(m -> m.contains("notes")).toList());
    }
  }

  @Test
  void aModelsFolderThatCannotBeListedIsARefusalNotACrash() throws Exception {
    Path missing = dir.resolve("missing");
    try (ModelRepository repo = ModelRepository.load(missing, RuntimeOptions.DEFAULTS)) {
      assertEquals(Set.of(), repo.models().keySet());
      assertEquals(
          List.of(
              "models folder " + missing + " cannot be listed: NoSuchFileException: " + missing),
          repo.refusals());
    }
  }

  @Test
  void theNetworkInputReachingOrtIsFloat32() throws Exception {
    Path folder = ModelCopy.of(dir, GOOD);
    try (ModelRepository repo = ModelRepository.load(dir, RuntimeOptions.DEFAULTS);
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        OrtSession session =
            OrtEnvironment.getEnvironment()
                .createSession(folder.resolve("model.onnx").toString(), so)) {
      assertEquals(Set.of(GOOD), repo.models().keySet());
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

  /**
   * Each worker runs the network until a run fails; the repository closes once all three have run.
   * A worker ends only on a failure, so every outcome is checked here on the test thread, and the
   * test needs no clock (the timeout only turns a hang into a failure).
   */
  @Test
  @Timeout(120)
  void closingANetworkWhileOtherThreadsRunItNeverFreesTheSessionMidRun() throws Exception {
    ModelCopy.of(dir, GOOD);
    ModelRepository repo = ModelRepository.load(dir, RuntimeOptions.DEFAULTS);
    OrtFieldNetwork net = repo.models().get(GOOD).network();
    int rows = 16;
    float[] x = new float[rows * 784]; // [rows][C*H*W], NCHW
    float[] sigma = new float[rows];
    Arrays.fill(sigma, 1f);
    int workers = 3;
    CountDownLatch allRunning = new CountDownLatch(workers);
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<NetworkFailure>> outcomes = new ArrayList<>();
      for (int t = 0; t < workers; t++) {
        outcomes.add(
            pool.submit(
                () -> {
                  for (int run = 0; ; run++) {
                    try {
                      net.denoise(x, sigma, null, rows);
                    } catch (NetworkFailure e) {
                      return e;
                    }
                    if (run == 0) {
                      allRunning.countDown();
                    }
                  }
                }));
      }
      allRunning.await();
      repo.close();
      for (Future<NetworkFailure> outcome : outcomes) {
        // get() rethrows anything else a worker met (an ORT error on a freed session, an
        // assertion).
        String message = outcome.get().getMessage();
        assertTrue(message.contains("closed"), "runs after close fail cleanly, got: " + message);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
