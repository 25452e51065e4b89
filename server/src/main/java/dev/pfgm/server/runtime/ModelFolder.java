package dev.pfgm.server.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Loads one model folder: the card, the graph checked against the card, the reference check. The
 * session is closed on every way out but success.
 */
final class ModelFolder {

  private ModelFolder() {}

  static LoadedModel load(Path folder, OrtEnvironment env, SessionOpener sessions)
      throws ModelLoadException, OrtException {
    ModelCard card = ModelCard.parse(read(folder.resolve("model.json")));
    Path onnx = folder.resolve("model.onnx");
    if (!Files.isRegularFile(onnx)) {
      throw new ModelLoadException("model.onnx is missing or not a regular file");
    }
    OrtSession session;
    try {
      session = sessions.open(onnx);
    } catch (OrtException e) {
      throw new ModelLoadException("model.onnx cannot be loaded by ONNX Runtime: " + e.getMessage(), e);
    }
    try {
      GraphContract.check(session, card);
      OrtFieldNetwork network = new OrtFieldNetwork(env, session, card, sessions.provider());
      ReferenceCheck.verify(folder, network);
      return new LoadedModel(card, network);
    } catch (Throwable t) {
      try {
        session.close();
      } catch (Throwable closing) {
        t.addSuppressed(closing);
      }
      throw t;
    }
  }

  /** Largest model.json or check.json read (a 2-row check of the largest shape is ~6 MB of text). */
  static final long MAX_TEXT_BYTES = 64L << 20;

  /** A JSON file of the folder as UTF-8 text. */
  static String read(Path file) throws ModelLoadException {
    String name = file.getFileName().toString();
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      if (!a.isRegularFile()) {
        throw new ModelLoadException("cannot read " + name + ": not a regular file");
      }
      if (a.size() > MAX_TEXT_BYTES) {
        throw new ModelLoadException(name + " has " + a.size() + " bytes, more than " + MAX_TEXT_BYTES);
      }
      return Files.readString(file);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read " + name + ": " + describe(e), e);
    }
  }

  /** An exception as a refusal shows it: its type (a NoSuchFileException's message is only a path). */
  static String describe(Exception e) {
    return e instanceof ModelLoadException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
