package dev.pfgm.server.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;

/**
 * Opens ONNX Runtime sessions; the repository's one seam, so tests can see every session it opens.
 */
interface SessionOpener {

  /** A new session on the graph file; the caller owns (closes) it. */
  OrtSession open(Path onnx) throws OrtException;

  /** The execution provider the sessions run on: "CPU" or "CUDA". */
  String provider();
}
