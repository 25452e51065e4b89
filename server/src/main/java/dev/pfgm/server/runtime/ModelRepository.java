package dev.pfgm.server.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

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
  public static ModelRepository load(Path dir, RuntimeOptions options) throws IOException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    return load(dir, env, new OrtSessions(env, options));
  }

  static ModelRepository load(Path dir, OrtEnvironment env, SessionOpener sessions) throws IOException {
    Map<String, LoadedModel> models = new TreeMap<>();
    Map<String, Path> origins = new HashMap<>();
    List<String> refusals = new ArrayList<>();
    for (Path folder : modelFolders(dir)) {
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

  /** The sub-folders of dir that hold a model.json, sorted. */
  private static List<Path> modelFolders(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("model.json"))).sorted().toList();
    }
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

  /** One message per refused model folder. */
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
