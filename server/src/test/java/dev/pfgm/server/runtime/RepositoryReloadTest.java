package dev.pfgm.server.runtime;

import static dev.pfgm.server.runtime.ModelCopy.editCard;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * reload() loads only what changed, drops what is gone, and keeps a changed folder's old model when
 * the new one is refused.
 */
class RepositoryReloadTest {

  @TempDir Path dir;

  @Test
  void anUnchangedFolderKeepsItsModelAndIsNotLoadedAgain() throws Exception {
    ModelCopy.of(dir, "a");
    SessionClosingTest.RecordingOpener real = new SessionClosingTest.RecordingOpener();
    List<String> opened = new ArrayList<>();
    SessionOpener sessions =
        new SessionOpener() {
          @Override
          public OrtSession open(Path onnx) throws OrtException {
            opened.add(onnx.getParent().getFileName().toString());
            return real.open(onnx);
          }

          @Override
          public String provider() {
            return real.provider();
          }
        };
    try (ModelRepository first =
        ModelRepository.load(dir, OrtEnvironment.getEnvironment(), sessions)) {
      ModelCopy.of(dir, "b");
      ModelRepository next = first.reload();
      assertEquals(Set.of("a", "b"), next.models().keySet());
      assertSame(first.models().get("a"), next.models().get("a"));
      assertEquals(List.of("a", "b"), opened, "only the new folder opened a session");
      next.models().get("b").network().close();
    }
  }

  @Test
  void aChangedFolderThatIsRefusedKeepsItsPreviousModelAndOneThatLoadsReplacesIt()
      throws Exception {
    Path a = ModelCopy.of(dir, "a");
    try (ModelRepository first =
        ModelRepository.load(
            dir, OrtEnvironment.getEnvironment(), new SessionClosingTest.RecordingOpener())) {
      LoadedModel old = first.models().get("a");
      Files.writeString(a.resolve("model.json"), "{ not json");
      ModelRepository broken = first.reload();
      assertSame(old, broken.models().get("a"));
      assertEquals(1, broken.refusals().size());
      assertTrue(
          broken.refusals().get(0).endsWith("; its previous version of a keeps serving"),
          broken.refusals().get(0));
      assertSame(
          broken.models().get("a"),
          broken.reload().models().get("a"),
          "the same broken content is not loaded again");

      Files.copy(
          ModelCopy.SHIPPED.resolve(ModelCopy.GOOD).resolve("model.json"),
          a.resolve("model.json"),
          StandardCopyOption.REPLACE_EXISTING);
      editCard(a, c -> c.put("id", "a").put("description", "second version"));
      ModelRepository fixed = broken.reload();
      assertNotSame(old, fixed.models().get("a"));
      assertEquals("second version", fixed.models().get("a").card().description());
      assertEquals(List.of(), fixed.refusals());
      assertFalse(
          old.network().closed(), "the caller closes a replaced model once nothing uses it");
      fixed.close();
    }
  }

  @Test
  void aRemovedFolderDropsItsModel() throws Exception {
    ModelCopy.of(dir, "a");
    Path b = ModelCopy.of(dir, "b");
    try (ModelRepository first =
        ModelRepository.load(
            dir, OrtEnvironment.getEnvironment(), new SessionClosingTest.RecordingOpener())) {
      for (String f : List.of("model.json", "model.onnx", "check.json")) {
        Files.delete(b.resolve(f));
      }
      Files.delete(b);
      ModelRepository next = first.reload();
      assertEquals(Set.of("a"), next.models().keySet());
      assertEquals(List.of(), next.refusals());
    }
  }
}
