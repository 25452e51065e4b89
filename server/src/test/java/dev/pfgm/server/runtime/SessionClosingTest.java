package dev.pfgm.server.runtime;

import static dev.pfgm.server.runtime.ModelCopy.editCard;
import static dev.pfgm.server.runtime.ModelCopy.editCheck;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.vertx.core.json.JsonArray;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every session the repository opens is closed when its folder is refused, and by close()
 * otherwise.
 */
class SessionClosingTest {

  /** Opens real sessions and keeps them by folder name, to look at after the load. */
  static final class RecordingOpener implements SessionOpener {
    final SessionOpener real =
        new OrtSessions(OrtEnvironment.getEnvironment(), RuntimeOptions.DEFAULTS);
    final Map<String, OrtSession> opened = new TreeMap<>();

    @Override
    public OrtSession open(Path onnx) throws OrtException {
      OrtSession s = real.open(onnx);
      opened.put(onnx.getParent().getFileName().toString(), s);
      return s;
    }

    @Override
    public String provider() {
      return real.provider();
    }
  }

  @TempDir Path dir;

  ModelRepository load(SessionOpener sessions) {
    return ModelRepository.load(dir, OrtEnvironment.getEnvironment(), sessions);
  }

  /** ONNX Runtime's own guard: a closed session refuses to describe its inputs. */
  static void assertClosed(String folder, OrtSession s) {
    assertNotNull(s, folder + " opened no session");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, s::getInputInfo, folder + " left its session open");
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  @Test
  void aRefusedFolderClosesTheSessionItOpened() throws Exception {
    ModelCopy.of(dir, "a-good");
    editCard(
        ModelCopy.of(dir, "card-says-8x8"),
        c -> c.put("shape", new JsonArray().add(1).add(8).add(8)));
    editCard(
        ModelCopy.of(dir, "card-says-conditional"),
        c -> c.put("class_labels", new JsonArray().add("a")));
    editCheck(ModelCopy.of(dir, "check-drifted"), c -> c.getJsonArray("denoised").set(0, 9.0));
    editCheck(ModelCopy.of(dir, "check-sigma-null"), c -> c.getJsonArray("sigma").set(0, null));
    editCard(ModelCopy.of(dir, "duplicate-id"), c -> c.put("id", "a-good"));
    RecordingOpener sessions = new RecordingOpener();
    try (ModelRepository repo = load(sessions)) {
      assertEquals(Set.of("a-good"), repo.models().keySet());
      assertEquals(5, repo.refusals().size(), String.join("\n", repo.refusals()));
      assertEquals(
          Set.of(
              "a-good",
              "card-says-8x8",
              "card-says-conditional",
              "check-drifted",
              "check-sigma-null",
              "duplicate-id"),
          sessions.opened.keySet());
      sessions.opened.forEach(
          (folder, s) -> {
            if (!folder.equals("a-good")) {
              assertClosed(folder, s);
            }
          });
      assertDoesNotThrow(
          () -> sessions.opened.get("a-good").getInputInfo(),
          "a served model's session stays open");
    }
    assertClosed("a-good", sessions.opened.get("a-good"));
  }

  @Test
  void anyExceptionWhileLoadingAFolderRefusesThatFolderOnly() throws Exception {
    ModelCopy.of(dir, "a-good");
    ModelCopy.of(dir, "bad");
    RecordingOpener real = new RecordingOpener();
    SessionOpener failing =
        new SessionOpener() {
          @Override
          public OrtSession open(Path onnx) throws OrtException {
            if (onnx.getParent().getFileName().toString().equals("bad")) {
              throw new IllegalStateException("an unchecked failure no check foresaw");
            }
            return real.open(onnx);
          }

          @Override
          public String provider() {
            return real.provider();
          }
        };
    try (LogRecorder log = new LogRecorder(ModelRepository.class.getPackageName());
        ModelRepository repo = load(failing)) {
      assertEquals(Set.of("a-good"), repo.models().keySet());
      String refusal =
          "model folder "
              + dir.resolve("bad")
              + " refused: IllegalStateException: an unchecked failure no check foresaw";
      assertEquals(List.of(refusal), repo.refusals());
      assertEquals(List.of(refusal), log.atLeast(Level.WARNING));
    }
  }
}
