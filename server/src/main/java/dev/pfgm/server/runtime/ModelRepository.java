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
 * (logged once at WARNING); the others still load. A repository is an immutable snapshot; {@link
 * #reload()} reads the folder again and returns the next one, which shares the models of unchanged
 * folders with this one.
 */
public final class ModelRepository implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ModelRepository.class.getName());

  /**
   * A model folder as last read: its content's fingerprint (null when it could not be read), the
   * model it serves (null when none), and why it was refused (null when it was not).
   */
  private record Folder(String fingerprint, LoadedModel model, String refusal) {}

  private final Path dir;
  private final OrtEnvironment env;
  private final SessionOpener sessions;
  private final Map<Path, Folder> folders;
  private final Map<String, LoadedModel> models;
  private final List<String> refusals;

  private ModelRepository(
      Path dir,
      OrtEnvironment env,
      SessionOpener sessions,
      Map<Path, Folder> folders,
      Map<String, LoadedModel> models,
      List<String> refusals) {
    this.dir = dir;
    this.env = env;
    this.sessions = sessions;
    this.folders = Map.copyOf(folders);
    this.models = Collections.unmodifiableMap(models);
    this.refusals = List.copyOf(refusals);
  }

  /** Loads every model folder under dir; never fails for a folder's content (see refusals). */
  public static ModelRepository load(Path dir, RuntimeOptions options) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    return load(dir, env, new OrtSessions(env, options));
  }

  static ModelRepository load(Path dir, OrtEnvironment env, SessionOpener sessions) {
    return scan(dir, env, sessions, Map.of());
  }

  /**
   * Reads the folder again, as at startup, loading only new folders and folders whose files changed
   * (by content). A changed folder that is refused keeps its previous model, if it had one (its
   * refusal says so); a folder that is gone drops its model. This snapshot is not changed: the
   * caller closes the networks of the models the next one dropped, once nothing uses them.
   */
  public ModelRepository reload() {
    return scan(dir, env, sessions, folders);
  }

  private static ModelRepository scan(
      Path dir, OrtEnvironment env, SessionOpener sessions, Map<Path, Folder> before) {
    Map<String, LoadedModel> models = new TreeMap<>();
    Map<String, Path> origins = new HashMap<>();
    Map<Path, Folder> now = new HashMap<>();
    Map<Path, String> fingerprints = new HashMap<>();
    List<String> refusals = new ArrayList<>();
    List<Path> found = modelFolders(dir, refusals);
    // Unchanged folders first: they keep their models (and refusals), and their ids.
    for (Path folder : found) {
      String fingerprint = fingerprint(folder);
      fingerprints.put(folder, fingerprint);
      Folder was = before.get(folder);
      if (was != null && fingerprint != null && fingerprint.equals(was.fingerprint())) {
        now.put(folder, was);
        if (was.model() != null) {
          models.put(was.model().card().id(), was.model());
          origins.put(was.model().card().id(), folder);
        }
        if (was.refusal() != null) {
          refusals.add(was.refusal());
        }
      }
    }
    for (Path folder : found) {
      if (now.containsKey(folder)) {
        continue;
      }
      String fingerprint = fingerprints.get(folder);
      try {
        LoadedModel m = ModelFolder.load(folder, env, sessions);
        String id = m.card().id();
        if (origins.containsKey(id)) {
          try (OrtFieldNetwork duplicate = m.network()) {
            throw new ModelLoadException(
                "duplicate model id '" + id + "' (also in " + origins.get(id) + ")");
          }
        }
        models.put(id, m);
        origins.put(id, folder);
        now.put(folder, new Folder(fingerprint, m, null));
        LOG.info(() -> "model " + id + " loaded from " + folder + " on " + m.network().provider());
      } catch (Exception e) { // any failure of one folder refuses that folder only
        LoadedModel previous = before.containsKey(folder) ? before.get(folder).model() : null;
        boolean keeps = previous != null && !origins.containsKey(previous.card().id());
        String message =
            "model folder "
                + folder
                + " refused: "
                + ModelFolder.describe(e)
                + (keeps
                    ? "; its previous version of " + previous.card().id() + " keeps serving"
                    : "");
        refuse(refusals, message, e);
        if (keeps) {
          models.put(previous.card().id(), previous);
          origins.put(previous.card().id(), folder);
        }
        now.put(folder, new Folder(fingerprint, keeps ? previous : null, message));
      }
    }
    return new ModelRepository(dir, env, sessions, now, models, refusals);
  }

  /** The folder's fingerprint, or null when it cannot be read (the load then says why). */
  private static String fingerprint(Path folder) {
    try {
      return ModelFolder.fingerprint(folder);
    } catch (IOException | RuntimeException e) {
      return null;
    }
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
        refuse(
            refusals,
            "models folder entry " + entry + " cannot be read: " + ModelFolder.describe(e),
            e);
      }
    }
    if (!others.isEmpty()) {
      LOG.info(
          () -> "models folder " + dir + ": " + others + " hold no model.json, not model folders");
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
    LOG.log(
        Level.WARNING,
        message,
        e instanceof ModelLoadException || e instanceof IOException ? null : e);
  }

  /** Served models by id, sorted. */
  public Map<String, LoadedModel> models() {
    return models;
  }

  /** One message per refused model folder, and per folder or entry that could not be read. */
  public List<String> refusals() {
    return refusals;
  }

  /** Closes the networks of this snapshot's models (not those of models a reload dropped). */
  @Override
  public void close() throws OrtException {
    for (LoadedModel m : models.values()) {
      m.network().close();
    }
  }
}
