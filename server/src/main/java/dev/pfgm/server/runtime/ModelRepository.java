package dev.pfgm.server.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The models of a folder: every {@code <dir>/<id>/model.json} + {@code model.onnx}. A folder that
 * cannot be served is refused with a message naming the problem; the others still load.
 */
public final class ModelRepository implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ModelRepository.class.getName());

  private final Map<String, LoadedModel> models;
  private final List<String> refusals;

  private ModelRepository(Map<String, LoadedModel> models, List<String> refusals) {
    this.models = Collections.unmodifiableMap(models);
    this.refusals = List.copyOf(refusals);
  }

  /** Loads every model folder under dir. */
  public static ModelRepository load(Path dir, RuntimeOptions options) throws IOException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, LoadedModel> models = new TreeMap<>();
    List<String> refusals = new ArrayList<>();
    List<Path> folders;
    try (Stream<Path> s = Files.list(dir)) {
      folders = s.filter(p -> Files.isRegularFile(p.resolve("model.json"))).sorted().toList();
    }
    for (Path folder : folders) {
      try {
        LoadedModel m = loadOne(env, folder, options);
        if (models.containsKey(m.card().id())) {
          m.network().close();
          throw new ModelLoadException("duplicate model id '" + m.card().id() + "'");
        }
        models.put(m.card().id(), m);
        LOG.info(() -> "model " + m.card().id() + " loaded from " + folder + " on " + m.network().provider());
      } catch (ModelLoadException | OrtException e) {
        String msg = "model folder " + folder + " refused: " + e.getMessage();
        refusals.add(msg);
        LOG.warning(msg);
      }
    }
    return new ModelRepository(models, refusals);
  }

  static LoadedModel loadOne(OrtEnvironment env, Path folder, RuntimeOptions options)
      throws ModelLoadException, OrtException {
    ModelCard card;
    try {
      card = ModelCard.parse(Files.readString(folder.resolve("model.json")));
    } catch (IOException e) {
      throw new ModelLoadException("cannot read model.json: " + e.getMessage());
    }
    Path onnx = folder.resolve("model.onnx");
    if (!Files.isRegularFile(onnx)) {
      throw new ModelLoadException("missing model.onnx");
    }
    String provider = "CPU";
    OrtSession session;
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (options.intraOpThreads() > 0) {
        so.setIntraOpNumThreads(options.intraOpThreads());
      }
      if (!options.spinWait()) {
        // Idle intra-op threads sleep instead of spinning, leaving the cores to the event loop and
        // frame encoding between network calls.
        so.addConfigEntry("session.intra_op.allow_spinning", "0");
      }
      if (options.cuda()) {
        if (OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
          so.addCUDA(options.cudaDeviceId());
          provider = "CUDA";
        } else {
          LOG.warning("device " + options.device() + " configured but this ONNX Runtime build has no CUDA "
              + "execution provider (build with -Pcuda); running on CPU");
        }
      }
      try {
        session = env.createSession(onnx.toString(), so);
      } catch (OrtException e) {
        throw new ModelLoadException("model.onnx cannot be loaded by ONNX Runtime: " + e.getMessage());
      }
    }
    try {
      GraphContract.check(session, card);
      OrtFieldNetwork network = new OrtFieldNetwork(env, session, card, provider);
      ReferenceCheck.verify(folder, network);
      return new LoadedModel(card, network);
    } catch (ModelLoadException | RuntimeException e) {
      session.close();
      throw e;
    }
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
