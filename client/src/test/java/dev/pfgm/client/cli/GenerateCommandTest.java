package dev.pfgm.client.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pfgm.client.Pixels;
import dev.pfgm.client.Tensors;
import dev.pfgm.client.TestServer;
import dev.pfgm.proto.v1.Tensor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(TestServer.class)
class GenerateCommandTest {

  @TempDir Path dir;

  private static List<JsonObject> json(CliRun run) {
    assertEquals(0, run.exitCode(), run.err());
    return run.lines().stream().map(JsonObject::new).toList();
  }

  @Test
  void jsonLinesFollowStartedStepsCompleted(TestServer.Running server) {
    Path png = dir.resolve("out.png");
    List<JsonObject> events =
        json(
            CliRun.of(
                "generate",
                "--target",
                server.target(),
                "--samples",
                "3",
                "--steps",
                "5",
                "--preview-every",
                "2",
                "--seed",
                "11",
                "--json",
                "--output",
                png.toString()));

    assertEquals("started", events.get(0).getString("event"));
    assertEquals(List.of("11", "12", "13"), events.get(0).getJsonArray("seeds").getList());
    assertEquals(5, events.get(0).getInteger("steps"));
    assertEquals("SOLVER_HEUN", events.get(0).getString("solver"));
    JsonObject last = events.get(events.size() - 1);
    assertEquals("completed", last.getString("event"));
    assertEquals(png.toString(), last.getString("output"));
    assertEquals(9, last.getInteger("nfe"));
    List<JsonObject> steps = events.subList(1, events.size() - 1);
    assertEquals(List.of(1, 3, 4), steps.stream().map(s -> s.getInteger("index")).toList());
    steps.forEach(
        s -> {
          assertEquals("step", s.getString("event"));
          assertFalse(s.containsKey("denoised"), "tensors only with --json-tensors");
        });
    assertTrue(Files.exists(png));
  }

  @Test
  void rk45RunsStreamEveryAcceptedStepAndCountRejectedTrials(TestServer.Running server) {
    List<JsonObject> events =
        json(
            CliRun.of(
                "generate",
                "--target",
                server.target(),
                "--samples",
                "2",
                "--solver",
                "rk45",
                "--rtol",
                "1e-4",
                "--atol",
                "1e-4",
                "--seed",
                "11",
                "--json",
                "--output",
                dir.resolve("rk45.png").toString()));
    JsonObject started = events.get(0);
    assertEquals("SOLVER_RK45", started.getString("solver"));
    assertEquals(0, started.getInteger("steps"));
    assertEquals(1e-4, started.getDouble("rtol"));
    assertFalse(started.containsKey("sigmaMax"), "no schedule for an adaptive run");
    List<JsonObject> steps = events.subList(1, events.size() - 1);
    for (int i = 0; i < steps.size(); i++) {
      assertEquals(i, steps.get(i).getInteger("index"));
    }
    assertEquals(0.0, steps.get(steps.size() - 1).getDouble("sigma"));
    JsonObject done = events.get(events.size() - 1);
    assertTrue(done.containsKey("rejectedSteps"));
    assertEquals(2, done.getInteger("nfe") % 6, "2 to start, 6 per trial step");
  }

  @Test
  void aNoiseInjectionRunIsReproducibleBySeed(TestServer.Running server) throws Exception {
    byte[][] pngs = new byte[2][];
    for (int k = 0; k < 2; k++) {
      Path png = dir.resolve("noise" + k + ".png");
      json(
          CliRun.of(
              "generate",
              "--target",
              server.target(),
              "--samples",
              "2",
              "--steps",
              "6",
              "--noise-injection",
              "0.2",
              "--seed",
              "3",
              "--json",
              "--output",
              png.toString()));
      pngs[k] = Files.readAllBytes(png);
    }
    assertArrayEquals(pngs[0], pngs[1]);
  }

  @Test
  void pngGridMatchesTheStreamedFloat32Samples(TestServer.Running server) throws Exception {
    Path png = dir.resolve("grid.png");
    List<JsonObject> events =
        json(
            CliRun.of(
                "generate",
                "--target",
                server.target(),
                "--samples",
                "5",
                "--steps",
                "8",
                "--seed",
                "42",
                "--json",
                "--json-tensors",
                "--output",
                png.toString()));
    JsonObject samples = events.get(events.size() - 1).getJsonObject("samples");
    assertEquals(List.of(5, 1, 28, 28), samples.getJsonArray("shape").getList());
    float[] x =
        Tensors.floats(
            Tensor.newBuilder()
                .addAllShape(List.of(5, 1, 28, 28))
                .setData(ByteString.copyFrom(Base64.getDecoder().decode(samples.getString("data"))))
                .build());

    BufferedImage img = ImageIO.read(png.toFile());
    // 5 tiles: 3 columns and 2 rows, 2 background pixels between tiles.
    assertEquals(3 * 28 + 2 * 2, img.getWidth());
    assertEquals(2 * 28 + 2, img.getHeight());
    for (int i = 0; i < 5; i++) {
      int left = (i % 3) * (28 + 2);
      int top = (i / 3) * (28 + 2);
      for (int y = 0; y < 28; y++) {
        for (int xx = 0; xx < 28; xx++) {
          int expected = designPixel(x[i * 784 + y * 28 + xx]);
          int actual = img.getRaster().getSample(left + xx, top + y, 0);
          assertEquals(expected, actual, "sample " + i + " pixel (" + xx + ", " + y + ")");
        }
      }
    }
  }

  /** DESIGN's PNG rule, written out here as the oracle: floor(clip(127.5 x + 128, 0, 255)). */
  private static int designPixel(float x) {
    double v = 127.5 * x + 128;
    return (int) Math.floor(v < 0 ? 0 : v > 255 ? 255 : v);
  }

  @Test
  void designPixelIsTheDocumentedRule() {
    assertEquals(0, designPixel(-1.01f));
    assertEquals(0, designPixel(-1f)); // floor(0.5)
    assertEquals(128, designPixel(0f));
    assertEquals(191, designPixel(0.5f)); // floor(191.75)
    assertEquals(255, designPixel(1f)); // floor(255.5) clipped
  }

  @Test
  void aRecordingOfAThousandStepsGetsEveryStep(TestServer.Running server) throws Exception {
    // Writing a PNG per step is slower than the server steps: recordings ask for lossless delivery.
    Path frames = dir.resolve("all");
    CliRun run =
        CliRun.of(
            "generate",
            "--target",
            server.target(),
            "--model",
            TestServer.MODEL,
            "--samples",
            "16",
            "--steps",
            "1000",
            "--output",
            dir.resolve("all.png").toString(),
            "--frames",
            frames.toString(),
            "--no-preview",
            "--no-progress");
    assertEquals(0, run.exitCode(), run.err());
    try (var files = Files.list(frames)) {
      assertEquals(1000, files.count(), "one frame per step of 1000");
    }
  }

  @Test
  void theGifKeepsAnEvenSelectionOfStepsAtItsScale(TestServer.Running server) throws Exception {
    Path gif = dir.resolve("short.gif");
    CliRun run =
        CliRun.of(
            "generate",
            "--target",
            server.target(),
            "--model",
            TestServer.MODEL,
            "--samples",
            "4",
            "--steps",
            "100",
            "--output",
            dir.resolve("short.png").toString(),
            "--gif",
            gif.toString(),
            "--gif-max-frames",
            "11",
            "--gif-scale",
            "3",
            "--gif-fps",
            "20",
            "--no-preview",
            "--no-progress");
    assertEquals(0, run.exitCode(), run.err());
    try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
      ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
      reader.setInput(in);
      // 100 streamed steps, every 10th kept (10 frames), then the final samples: 11 in all.
      assertEquals(11, reader.getNumImages(true));
      assertEquals(
          3 * (2 * 28 + Pixels.GAP), reader.getWidth(0), "a 2x2 grid of 28-pixel samples, 3x");
      var meta =
          (javax.imageio.metadata.IIOMetadataNode)
              reader.getImageMetadata(0).getAsTree("javax_imageio_gif_image_1.0");
      var gce =
          (javax.imageio.metadata.IIOMetadataNode)
              meta.getElementsByTagName("GraphicControlExtension").item(0);
      assertEquals("5", gce.getAttribute("delayTime"), "20 frames a second: 5 hundredths each");
    }
    assertEquals(
        2,
        CliRun.of(
                "generate", "--target", server.target(), "--gif", gif.toString(), "--gif-fps", "0")
            .exitCode());
  }

  @Test
  void framesAndGifHoldOneImagePerStreamedStep(TestServer.Running server) throws Exception {
    Path frames = dir.resolve("frames");
    Path gif = dir.resolve("run.gif");
    List<JsonObject> events =
        json(
            CliRun.of(
                "generate",
                "--target",
                server.target(),
                "--samples",
                "4",
                "--steps",
                "6",
                "--preview-every",
                "1",
                "--json",
                "--output",
                dir.resolve("s.png").toString(),
                "--frames",
                frames.toString(),
                "--gif",
                gif.toString(),
                "--animate",
                "state"));
    long steps = events.stream().filter(e -> e.getString("event").equals("step")).count();

    try (var files = Files.list(frames)) {
      assertEquals(
          steps,
          files.filter(f -> f.getFileName().toString().matches("step-\\d{4}\\.png")).count());
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
      ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
      reader.setInput(in);
      assertEquals(
          steps + 1, reader.getNumImages(true), "one frame per step plus the final samples");
      assertEquals(2 * 28 + Pixels.GAP, reader.getWidth(0));
    }
  }

  @Test
  void failedCallExitsWithOneAndAJsonErrorLine(TestServer.Running server) {
    CliRun run =
        CliRun.of(
            "generate",
            "--target",
            server.target(),
            "--model",
            "nope",
            "--json",
            "--output",
            dir.resolve("x.png").toString());
    assertEquals(1, run.exitCode());
    JsonObject error = new JsonObject(run.lines().get(run.lines().size() - 1));
    assertEquals("NOT_FOUND", error.getString("status"));
    assertTrue(
        error.getString("request_id").matches("[0-9a-f]{16}"),
        "the server's id of the call, as in its log: " + error);
    assertTrue(error.getString("message").startsWith("model 'nope'"), error.getString("message"));
  }

  @Test
  void aFailedCallIsOneLineWithTheStatusByName(TestServer.Running server) {
    CliRun run =
        CliRun.of(
            "generate",
            "--target",
            server.target(),
            "--model",
            "nope",
            "--no-progress",
            "--output",
            dir.resolve("x.png").toString());
    assertEquals(1, run.exitCode());
    assertTrue(run.err().strip().startsWith("error: NOT_FOUND: model 'nope'"), run.err());
    assertEquals(1, run.err().strip().lines().count(), run.err());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1ms", "5ms", "20ms"})
  void shortDeadlinesEndWithDeadlineExceeded(String deadline, TestServer.Running server) {
    CliRun text =
        CliRun.of(
            "generate",
            "--target",
            server.target(),
            "--deadline",
            deadline,
            "--steps",
            "200",
            "--no-progress",
            "--output",
            dir.resolve("d.png").toString());
    assertEquals(1, text.exitCode());
    assertTrue(text.err().startsWith("error: DEADLINE_EXCEEDED: "), text.err());
    CliRun json =
        CliRun.of(
            "generate",
            "--target",
            server.target(),
            "--deadline",
            deadline,
            "--steps",
            "200",
            "--json",
            "--output",
            dir.resolve("d.png").toString());
    assertEquals(1, json.exitCode());
    JsonObject error = new JsonObject(json.lines().get(json.lines().size() - 1));
    assertEquals("DEADLINE_EXCEEDED", error.getString("status"));
    assertFalse(error.getString("message").matches("\\d+:.*"), error.getString("message"));
  }

  @Test
  void aJpgOutputIsAJpeg(TestServer.Running server) throws Exception {
    Path jpg = dir.resolve("grid.JPG");
    CliRun run =
        CliRun.of(
            "generate",
            "--target",
            server.target(),
            "--samples",
            "4",
            "--steps",
            "4",
            "--no-progress",
            "--output",
            jpg.toString());
    assertEquals(0, run.exitCode(), run.err());
    try (ImageInputStream in = ImageIO.createImageInputStream(jpg.toFile())) {
      ImageReader reader = ImageIO.getImageReaders(in).next();
      assertEquals("jpeg", reader.getFormatName().toLowerCase(java.util.Locale.ROOT));
      reader.setInput(in);
      assertEquals(2 * 28 + Pixels.GAP, reader.getWidth(0));
    }
  }

  @Test
  void modelsListsIdsWithDimensionShapeAndDefaults(TestServer.Running server) {
    CliRun run = CliRun.of("models", "--target", server.target(), "--json");
    assertEquals(0, run.exitCode(), run.err());
    JsonObject edm = new JsonObject(run.lines().get(1));
    assertEquals("mnist-exact-edm", edm.getString("id"));
    assertEquals("Infinity", edm.getString("augmentDim"));
    assertEquals(new JsonArray(List.of(1, 28, 28)), edm.getJsonArray("shape"));
    assertEquals(18, edm.getInteger("defaultSteps"));
    assertEquals("heun", edm.getString("defaultSolver"));
  }
}
