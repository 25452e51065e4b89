package dev.pfgm.server.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

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
      throw new ModelLoadException(
          "model.onnx cannot be loaded by ONNX Runtime: " + e.getMessage(), e);
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

  /** The files whose content is the model: a change to any of them is a new version. */
  static final List<String> FILES = List.of("model.json", "model.onnx", "check.json");

  /**
   * SHA-256 over the folder's {@link #FILES} (name, then content, or a mark for an absent file), so
   * a reload sees a changed model whatever the files' modification times say.
   */
  static String fingerprint(Path folder) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    byte[] buffer = new byte[1 << 16];
    for (String name : FILES) {
      Path file = folder.resolve(name);
      sha.update(name.getBytes(StandardCharsets.UTF_8));
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        sha.update((byte) 0);
        continue;
      }
      sha.update((byte) 1);
      try (InputStream in = Files.newInputStream(file)) {
        long length = 0;
        for (int n; (n = in.read(buffer)) > 0; length += n) {
          sha.update(buffer, 0, n);
        }
        sha.update(
            Long.toString(length).getBytes(StandardCharsets.UTF_8)); // file boundaries stay apart
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /**
   * Largest model.json or check.json read (a 2-row check of the largest shape is ~6 MB of text).
   */
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
        throw new ModelLoadException(
            name + " has " + a.size() + " bytes, more than " + MAX_TEXT_BYTES);
      }
      return Files.readString(file);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read " + name + ": " + describe(e), e);
    }
  }

  /**
   * An exception as a refusal shows it: its type (a NoSuchFileException's message is only a path).
   */
  static String describe(Exception e) {
    return e instanceof ModelLoadException
        ? e.getMessage()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
