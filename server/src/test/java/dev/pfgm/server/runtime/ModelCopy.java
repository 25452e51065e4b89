package dev.pfgm.server.runtime;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Copies of a shipped model folder, for tests to load or corrupt. */
final class ModelCopy {

  /** The shipped models (tests run in the server module: ../models unless the build says). */
  static final Path SHIPPED = Path.of(System.getProperty("pfgm.models.dir", "../models"));

  /** A small shipped model (an exact field, 202 KB, with check.json). */
  static final String GOOD = "mnist-exact-d128";

  private ModelCopy() {}

  /**
   * Copies GOOD's model.json, model.onnx and check.json into dir/name, with the card's id = name.
   */
  static Path of(Path dir, String name) throws IOException {
    Path from = SHIPPED.resolve(GOOD);
    Path folder = Files.createDirectories(dir.resolve(name));
    Files.copy(from.resolve("model.onnx"), folder.resolve("model.onnx"));
    Files.copy(from.resolve("check.json"), folder.resolve("check.json"));
    Files.copy(from.resolve("model.json"), folder.resolve("model.json"));
    editCard(folder, card -> card.put("id", name));
    return folder;
  }

  static void editCard(Path folder, Consumer<JsonObject> edit) throws IOException {
    edit(folder.resolve("model.json"), edit);
  }

  static void editCheck(Path folder, Consumer<JsonObject> edit) throws IOException {
    edit(folder.resolve("check.json"), edit);
  }

  private static void edit(Path file, Consumer<JsonObject> edit) throws IOException {
    JsonObject o = new JsonObject(Files.readString(file));
    edit.accept(o);
    Files.writeString(file, o.encodePrettily());
  }
}
