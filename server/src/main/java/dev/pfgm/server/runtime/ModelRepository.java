package dev.pfgm.server.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The models of a folder: every {@code <dir>/<id>/model.json} + {@code model.onnx}. A folder that
 * cannot be served, whatever the failure, is refused with a message naming it and the problem
 * (logged once at WARNING); the others still load.
 */
public final class ModelRepository implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ModelRepository.class.getName());

  private final Map<String, LoadedModel> models;
  private final List<String> refusals;

  private ModelRepository(Map<String, LoadedModel> models, List<String> refusals) {
    this.models = Collections.unmodifiableMap(models);
    this.refusals = List.copyOf(refusals);
  }

  /** Loads every model folder under dir; never fails for a folder's content (see refusals). */
  public static ModelRepository load(Path dir, RuntimeOptions options) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    return load(dir, env, new OrtSessions(env, options));
  }

  static ModelRepository load(Path dir, OrtEnvironment env, SessionOpener sessions) {
    Map<String, LoadedModel> models = new TreeMap<>();
    Map<String, Path> origins = new HashMap<>();
    List<String> refusals = new ArrayList<>();
    for (Path folder : modelFolders(dir, refusals)) {
      try {
        LoadedModel m = ModelFolder.load(folder, env, sessions);
        String id = m.card().id();
        if (origins.containsKey(id)) {
          try (OrtFieldNetwork duplicate = m.network()) {
            throw new ModelLoadException("duplicate model id '" + id + "' (also in " + origins.get(id) + ")");
          }
        }
        models.put(id, m);
        origins.put(id, folder);
        LOG.info(() -> "model " + id + " loaded from " + folder + " on " + m.network().provider());
      } catch (Exception e) { // any failure of one folder refuses that folder only
        refuse(refusals, "model folder " + folder + " refused: " + ModelFolder.describe(e), e);
      }
    }
    return new ModelRepository(models, refusals);
  }

  /** The sub-folders of dir that hold a model.json, sorted; what cannot be read is refused. */
  private static List<Path> modelFolders(Path dir, List<String> refusals) {
    List<Path> entries;
    try {
      entries = list(dir);
    } catch (IOException e) {
      refuse(refusals, "models folder " + dir + " cannot be listed: " + ModelFolder.describe(e), e);
      return List.of();
    }
    List<Path> folders = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (Path entry : entries) {
      try {
        if (!Files.readAttributes(entry, BasicFileAttributes.class).isDirectory()) {
          continue; // README, scripts
        }
        if (list(entry).contains(entry.resolve("model.json"))) {
          folders.add(entry);
        } else {
          others.add(entry.getFileName().toString());
        }
      } catch (IOException e) {
        refuse(refusals, "models folder entry " + entry + " cannot be read: " + ModelFolder.describe(e), e);
      }
    }
    if (!others.isEmpty()) {
      LOG.info(() -> "models folder " + dir + ": " + others + " hold no model.json, not model folders");
    }
    return folders;
  }

  private static List<Path> list(Path dir) throws IOException {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(entries::add);
    } catch (DirectoryIteratorException e) {
      throw e.getCause();
    }
    Collections.sort(entries);
    return entries;
  }

  /** Records a refusal and logs it once; a failure no check named gets its stack trace. */
  private static void refuse(List<String> refusals, String message, Exception e) {
    refusals.add(message);
    LOG.log(Level.WARNING, message, e instanceof ModelLoadException || e instanceof IOException ? null : e);
  }

  /** Served models by id, sorted. */
  public Map<String, LoadedModel> models() {
    return models;
  }

  /** One message per refused model folder, and per folder or entry that could not be read. */
  public List<String> refusals() {
    return refusals;
  }

  @Override
  public void close() throws OrtException {
    for (LoadedModel m : models.values()) {
      m.network().close();
    }
  }
}
