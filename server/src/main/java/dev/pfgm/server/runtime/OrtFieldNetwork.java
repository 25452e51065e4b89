package dev.pfgm.server.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.pfgm.server.engine.FieldNetwork;
import dev.pfgm.server.engine.NetworkFailure;
import dev.pfgm.server.engine.NetworkIo;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A field network run by an ONNX Runtime session. Inputs {@code x: float32[B,C,H,W]}, {@code sigma:
 * float32[B]}, optional {@code class_labels: float32[B,K]}; output {@code denoised:
 * float32[B,C,H,W]}. Safe to call from several threads.
 */
public final class OrtFieldNetwork implements FieldNetwork, AutoCloseable {

  static final String INPUT_X = "x";
  static final String INPUT_SIGMA = "sigma";
  static final String INPUT_LABELS = "class_labels";
  static final String OUTPUT = "denoised";

  private final OrtEnvironment env;
  private final OrtSession session;
  private final int[] shape; // [C, H, W]
  private final int numClasses;
  private final String provider;
  // Runs hold the read lock; close takes the write lock, so a session is never freed mid-run
  // (ONNX Runtime would crash the JVM).
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  OrtFieldNetwork(OrtEnvironment env, OrtSession session, ModelCard card, String provider) {
    this.env = env;
    this.session = session;
    this.shape = card.shape().clone();
    this.numClasses = card.networkClasses();
    this.provider = provider;
  }

  @Override
  public int dataDim() {
    return shape[0] * shape[1] * shape[2];
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  /** The execution provider running this session: "CPU" or "CUDA". */
  public String provider() {
    return provider;
  }

  @Override
  public void denoise(NetworkIo io, int rows) {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new NetworkFailure("field network is closed (server shutting down)");
      }
      run(io, rows);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Inputs and the pinned output are views of the caller's direct buffers: ORT copies nothing. */
  private void run(NetworkIo io, int rows) {
    int n = dataDim();
    long[] imageShape = {rows, shape[0], shape[1], shape[2]};
    Map<String, OnnxTensor> inputs = new HashMap<>(4);
    OnnxTensor out = null;
    try {
      inputs.put(INPUT_X, OnnxTensor.createTensor(env, io.x().slice(0, rows * n), imageShape));
      inputs.put(
          INPUT_SIGMA, OnnxTensor.createTensor(env, io.sigma().slice(0, rows), new long[] {rows}));
      if (numClasses > 0) {
        inputs.put(
            INPUT_LABELS,
            OnnxTensor.createTensor(
                env, io.labels().slice(0, rows * numClasses), new long[] {rows, numClasses}));
      }
      out = OnnxTensor.createTensor(env, io.out().slice(0, rows * n), imageShape);
      session.run(inputs, Map.of(OUTPUT, out)).close();
    } catch (OrtException e) {
      throw new NetworkFailure("ONNX Runtime failed: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
      if (out != null) {
        out.close();
      }
    }
  }

  /** Whether close() has run (its session is freed). */
  public boolean closed() {
    lifecycle.readLock().lock();
    try {
      return closed;
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  @Override
  public void close() throws OrtException {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        session.close();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }
}
