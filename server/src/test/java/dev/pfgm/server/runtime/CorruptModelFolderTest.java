package dev.pfgm.server.runtime;

import static dev.pfgm.server.runtime.ModelCopy.editCard;
import static dev.pfgm.server.runtime.ModelCopy.editCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One corrupted model folder beside a good one: the corrupted folder is refused with a message
 * naming it and the rule it breaks, logged once at WARNING, and the good one is served.
 */
class CorruptModelFolderTest {

  /** A change to a copy of the shipped model folder. */
  interface Corruption {
    void apply(Path folder) throws IOException;
  }

  @TempDir Path dir;

  static Arguments of(String name, Corruption c, String expected) {
    return Arguments.of(name, c, expected);
  }

  static Corruption card(String key, Object value) {
    return f -> editCard(f, o -> o.put(key, value));
  }

  static Corruption shape(Object... dims) {
    JsonArray a = new JsonArray();
    for (Object d : dims) {
      a.add(d);
    }
    return card("shape", a);
  }

  static JsonArray labels(int count) {
    JsonArray a = new JsonArray();
    for (int i = 0; i < count; i++) {
      a.add("c" + i);
    }
    return a;
  }

  static Corruption check(String key, int index, Object value) {
    return f -> editCheck(f, o -> o.getJsonArray(key).set(index, value));
  }

  static Corruption write(String file, String text) {
    return f -> Files.writeString(f.resolve(file), text);
  }

  static Corruption write(String file, byte[] bytes) {
    return f -> Files.write(f.resolve(file), bytes);
  }

  static Corruption replaceWithDirectory(String file) {
    return f -> {
      Files.deleteIfExists(f.resolve(file));
      Files.createDirectory(f.resolve(file));
    };
  }

  static Corruption replaceWithLink(String file, String target) {
    return f -> {
      Files.deleteIfExists(f.resolve(file));
      Files.createSymbolicLink(f.resolve(file), Path.of(target));
    };
  }

  /**
   * Writes the card with key's value as raw JSON text (numbers Java cannot hold, such as 1e400).
   */
  static Corruption cardText(String key, String rawValue) {
    return f -> {
      card(key, "@@").apply(f);
      Files.writeString(
          f.resolve("model.json"),
          Files.readString(f.resolve("model.json")).replace("\"@@\"", rawValue));
    };
  }

  static Corruption folderReplacedWithLink(String target) {
    return f -> {
      try (Stream<Path> s = Files.walk(f)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
      Files.createSymbolicLink(f, Path.of(target));
    };
  }

  static Stream<Arguments> corruptions() {
    return Stream.of(
        of(
            "shape entry null",
            shape(1, null, 28),
            "model.json: shape[1] must be an integer in 1..262144, was null"),
        of(
            "shape entry string",
            shape(1, "28", 28),
            "shape[1] must be an integer in 1..262144, was \"28\""),
        of(
            "shape entry fraction",
            shape(1, 28.5, 28),
            "shape[1] must be an integer in 1..262144, was 28.5"),
        of("shape entry zero", shape(1, 0, 28), "shape[1] must be an integer in 1..262144, was 0"),
        of(
            "shape entry negative",
            shape(1, 28, -28),
            "shape[2] must be an integer in 1..262144, was -28"),
        of(
            "shape entry beyond int",
            shape(1, 3_000_000_000L, 28),
            "shape[1] must be an integer in 1..262144, was 3000000000"),
        of("shape rank 2", shape(28, 28), "model.json: shape must be [C, H, W], was [28,28]"),
        of("shape a string", card("shape", "1x28x28"), "shape must be [C, H, W], was \"1x28x28\""),
        of("shape null", card("shape", null), "shape must be [C, H, W], was null"),
        of(
            "two channels",
            shape(2, 28, 28),
            "shape[0] = 2 channels: PNG previews need 1 (grayscale) or 3 (RGB)"),
        of("four channels", shape(4, 28, 28), "PNG previews need 1 (grayscale) or 3 (RGB)"),
        of(
            "too many values",
            shape(3, 1024, 1024),
            "shape [3,1024,1024] has 3145728 values per sample, more than 262144"),
        of(
            "RGB card, grayscale graph",
            shape(3, 28, 28),
            "input x has shape [-1, 1, 28, 28] but the card says [-1, 3, 28, 28]"),
        of("id null", card("id", null), "model.json: id must be a string, was null"),
        of("id a number", card("id", 42), "id must be a string, was 42"),
        of(
            "id with a slash",
            card("id", "../x"),
            "id must match [A-Za-z0-9._-]{1,64}, was \"../x\""),
        of("duplicate id", card("id", "a-good"), "duplicate model id 'a-good'"),
        of(
            "augment_dim null",
            card("augment_dim", null),
            "augment_dim must be a positive finite number or \"inf\", was null"),
        of(
            "augment_dim word",
            card("augment_dim", "infinite"),
            "augment_dim must be a positive finite number or \"inf\", was \"infinite\""),
        of(
            "augment_dim negative",
            card("augment_dim", -1),
            "augment_dim must be a positive finite number or \"inf\", was -1"),
        of(
            "augment_dim boolean",
            card("augment_dim", true),
            "augment_dim must be a positive finite number or \"inf\", was true"),
        of(
            "augment_dim overflows",
            cardText("augment_dim", "1e400"),
            "augment_dim must be a positive finite number or \"inf\""),
        of(
            "sigma_min a string",
            card("sigma_min", "0.002"),
            "sigma_min must be a finite number, was \"0.002\""),
        of(
            "sigma_max null",
            card("sigma_max", null),
            "sigma_max must be a finite number, was null"),
        of(
            "sigma_max missing",
            f -> editCard(f, o -> o.remove("sigma_max")),
            "model.json: missing required key 'sigma_max'"),
        of(
            "sigma_min above sigma_max",
            card("sigma_min", 90),
            "need 0 < sigma_min < sigma_max, was sigma_min=90.0 sigma_max=80.0"),
        of("rho an array", card("rho", new JsonArray()), "rho must be a finite number, was []"),
        of(
            "default_steps fraction",
            card("default_steps", 18.5),
            "default_steps must be an integer in 1..1000, was 18.5"),
        of(
            "default_steps string",
            card("default_steps", "18"),
            "default_steps must be an integer in 1..1000, was \"18\""),
        of(
            "default_steps huge",
            card("default_steps", 10_000_000_000L),
            "default_steps must be an integer in 1..1000, was 10000000000"),
        of(
            "default_solver number",
            card("default_solver", 7),
            "default_solver must be a string, was 7"),
        of(
            "default_solver unknown",
            card("default_solver", "rk4"),
            "default_solver must be \"heun\" or \"euler\", was \"rk4\""),
        of(
            "sigma_data string",
            card("sigma_data", "0.5"),
            "sigma_data must be a finite number or null, was \"0.5\""),
        of(
            "sigma_data negative",
            card("sigma_data", -1),
            "sigma_data must be positive or null, was -1.0"),
        of(
            "class_labels string",
            card("class_labels", "abc"),
            "class_labels must be an array, was \"abc\""),
        of(
            "class_labels numbers",
            card("class_labels", new JsonArray().add(1).add(2)),
            "class_labels[0] must be a string, was 1"),
        of(
            "class_labels too many",
            card("class_labels", labels(ModelCard.MAX_DATA_DIM + 1)),
            "class_labels has 262145 labels, more than 262144"),
        of(
            "class_labels null entry",
            card("class_labels", new JsonArray().addNull()),
            "class_labels[0] must be a string, was null"),
        of(
            "latent_class_prior string",
            card("latent_class_prior", "x"),
            "latent_class_prior must be an array, was \"x\""),
        of(
            "latent_class_prior empty",
            card("latent_class_prior", new JsonArray()),
            "latent_class_prior must hold 1..262144 probabilities, was 0"),
        of(
            "latent_class_prior negative",
            card("latent_class_prior", new JsonArray().add(0.5).add(-0.1).add(0.6)),
            "latent_class_prior[1] must be >= 0, was -0.1"),
        of(
            "latent_class_prior not a number",
            card("latent_class_prior", new JsonArray().add(0.5).add("0.5")),
            "latent_class_prior[1] must be a finite number, was \"0.5\""),
        of(
            "latent_class_prior short of 1",
            card("latent_class_prior", new JsonArray().add(0.5).add(0.4)),
            "latent_class_prior must sum to 1 (within 1e-6), was 0.9"),
        of(
            "latent_class_prior beside class_labels",
            f ->
                editCard(
                    f,
                    o ->
                        o.put("class_labels", new JsonArray().add("a").add("b"))
                            .put("latent_class_prior", new JsonArray().add(0.5).add(0.5))),
            "class_labels and latent_class_prior exclude each other"),
        of(
            "latent_class_prior on a graph without class_labels",
            card("latent_class_prior", new JsonArray().add(0.5).add(0.5)),
            "the card (latent class, 2 classes) needs"),
        of("description number", card("description", 42), "description must be a string, was 42"),
        of("license object", card("license", new JsonObject()), "license must be a string, was {}"),
        of("provenance string", card("provenance", "x"), "provenance must be an object, was \"x\""),
        of("card an array", write("model.json", "[]"), "model.json must be a JSON object, was []"),
        of("card null", write("model.json", "null"), "model.json must be a JSON object, was null"),
        of("card empty", write("model.json", ""), "model.json is not valid JSON"),
        of(
            "card truncated",
            write("model.json", "{\"id\": \"bad\", \"shape\": [1,"),
            "model.json is not valid JSON"),
        of(
            "card not UTF-8",
            write("model.json", new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'}),
            "cannot read model.json"),
        of("card a directory", replaceWithDirectory("model.json"), "cannot read model.json"),
        of(
            "card a link loop",
            replaceWithLink("model.json", "model.json"),
            "cannot read model.json"),
        of(
            "onnx missing",
            f -> Files.delete(f.resolve("model.onnx")),
            "model.onnx is missing or not a regular file"),
        of(
            "onnx a directory",
            replaceWithDirectory("model.onnx"),
            "model.onnx is missing or not a regular file"),
        of(
            "onnx a dangling link",
            replaceWithLink("model.onnx", "/nonexistent/model.onnx"),
            "model.onnx is missing or not a regular file"),
        of(
            "onnx garbage",
            write("model.onnx", new byte[] {1, 2, 3, 4, 5}),
            "model.onnx cannot be loaded by ONNX Runtime"),
        of(
            "onnx empty",
            write("model.onnx", new byte[0]),
            "model.onnx cannot be loaded by ONNX Runtime"),
        of(
            "onnx truncated",
            f ->
                Files.write(
                    f.resolve("model.onnx"),
                    java.util.Arrays.copyOf(Files.readAllBytes(f.resolve("model.onnx")), 100_000)),
            "model.onnx cannot be loaded by ONNX Runtime"),
        of(
            "check atol zero",
            f -> editCheck(f, o -> o.put("atol", 0)),
            "check.json: atol must be in (0, 0.01], was 0"),
        of(
            "check atol too loose",
            f -> editCheck(f, o -> o.put("atol", 0.5)),
            "check.json: atol must be in (0, 0.01], was 0.5"),
        of("check atol string", f -> editCheck(f, o -> o.put("atol", "1e-5")), "check.json: atol"),
        of(
            "check output off by more than its atol",
            f ->
                editCheck(
                    f,
                    o ->
                        o.put("atol", 1e-6)
                            .getJsonArray("denoised")
                            .set(0, o.getJsonArray("denoised").getDouble(0) + 1e-4)),
            "output differs from check.json by"),
        of(
            "check x null",
            check("x", 3, null),
            "check.json: x[3] must be a finite number, was null"),
        of(
            "check x string",
            check("x", 3, "abc"),
            "check.json: x[3] must be a finite number, was \"abc\""),
        of(
            "check x overflows float32",
            check("x", 0, 1e39),
            "check.json: x[0] must be a finite float32, was 1.0E39"),
        of(
            "check sigma null",
            check("sigma", 0, null),
            "check.json: sigma[0] must be a finite number, was null"),
        of(
            "check sigma zero",
            check("sigma", 1, 0),
            "check.json: sigma[1] must be positive, was 0.0"),
        of(
            "check sigma empty",
            f -> editCheck(f, o -> o.put("sigma", new JsonArray())),
            "check.json: sigma must hold at least one value"),
        of(
            "check denoised missing",
            f -> editCheck(f, o -> o.remove("denoised")),
            "check.json: missing required key 'denoised'"),
        of(
            "check denoised string",
            f -> editCheck(f, o -> o.put("denoised", "x")),
            "check.json: denoised must be an array, was \"x\""),
        of(
            "check denoised drifted",
            check("denoised", 0, 9.0),
            "output differs from check.json by"),
        of(
            "check x short",
            f -> editCheck(f, o -> o.getJsonArray("x").remove(0)),
            "check.json: x has 1567 values; 2 rows (sigma) of C·H·W = 784 need 1568"),
        of(
            "check denoised short",
            f -> editCheck(f, o -> o.getJsonArray("denoised").remove(0)),
            "check.json: denoised has 1567 values, x has 1568"),
        of(
            "check labels for an unconditional model",
            f -> editCheck(f, o -> o.put("class_labels", new JsonArray().add(1).add(0))),
            "check.json has class_labels but the card has none (unconditional)"),
        of("check an array", write("check.json", "[]"), "check.json must be a JSON object, was []"),
        of("check truncated", write("check.json", "{\"x\": [1,"), "check.json is not valid JSON"),
        of("check a directory", replaceWithDirectory("check.json"), "cannot read check.json"),
        of("folder a link loop", folderReplacedWithLink("bad"), "cannot be read"),
        of(
            "folder a dangling link",
            folderReplacedWithLink("/nonexistent/model-folder"),
            "cannot be read"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptions")
  void theCorruptFolderAloneIsRefusedWithItsReason(
      String name, Corruption corruption, String expected) throws Exception {
    ModelCopy.of(dir, "a-good");
    Path bad = ModelCopy.of(dir, "bad");
    corruption.apply(bad);
    try (LogRecorder log = new LogRecorder(ModelRepository.class.getPackageName());
        ModelRepository repo = ModelRepository.load(dir, RuntimeOptions.DEFAULTS)) {
      assertEquals(Set.of("a-good"), repo.models().keySet(), String.join("\n", repo.refusals()));
      assertEquals(1, repo.refusals().size(), String.join("\n", repo.refusals()));
      String refusal = repo.refusals().get(0);
      assertTrue(refusal.contains(bad.toString()) && refusal.contains(expected), refusal);
      List<String> warnings = log.atLeast(Level.WARNING);
      assertEquals(List.of(refusal), warnings, "one WARNING, the refusal");
    }
  }
}
