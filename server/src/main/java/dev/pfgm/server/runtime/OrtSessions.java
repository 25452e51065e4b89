package dev.pfgm.server.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * Sessions configured by {@link RuntimeOptions}: threads, spin-wait, CUDA when this build has it.
 */
final class OrtSessions implements SessionOpener {

  private static final Logger LOG = Logger.getLogger(OrtSessions.class.getName());

  private final OrtEnvironment env;
  private final RuntimeOptions options;
  private final boolean cuda;

  OrtSessions(OrtEnvironment env, RuntimeOptions options) {
    this.env = env;
    this.options = options;
    String unavailable = RuntimeOptions.unavailable(options.device());
    if (unavailable != null) {
      throw new IllegalStateException("device " + options.device() + ": " + unavailable);
    }
    this.cuda = options.cuda();
    LOG.fine(() -> "device " + options.device() + ": sessions on " + provider());
  }

  @Override
  public OrtSession open(Path onnx) throws OrtException {
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
      if (cuda) {
        so.addCUDA(options.cudaDeviceId());
      }
      return env.createSession(onnx.toString(), so);
    }
  }

  @Override
  public String provider() {
    return cuda ? "CUDA" : "CPU";
  }
}
