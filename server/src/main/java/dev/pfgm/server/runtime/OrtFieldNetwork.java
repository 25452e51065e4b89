package dev.pfgm.server.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.pfgm.server.engine.FieldNetwork;
import dev.pfgm.server.engine.NetworkFailure;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A field network run by an ONNX Runtime session. Inputs {@code x: float32[B,C,H,W]},
 * {@code sigma: float32[B]}, optional {@code class_labels: float32[B,K]}; output
 * {@code denoised: float32[B,C,H,W]}. Safe to call from several threads.
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
    this.numClasses = card.classLabels().size();
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

  /**
   * The session itself, for tools that drive it directly: the serving benchmark's bare loop runs
   * the server's own session, so both sides share ONNX Runtime's state. Never close it.
   */
  public OrtSession session() {
    return session;
  }

  @Override
  public float[] denoise(float[] x, float[] sigma, float[] labels, int rows) {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new NetworkFailure("field network is closed (server shutting down)");
      }
      return run(x, sigma, labels, rows);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private float[] run(float[] x, float[] sigma, float[] labels, int rows) {
    int n = dataDim();
    Map<String, OnnxTensor> inputs = new HashMap<>(4);
    try {
      inputs.put(INPUT_X, OnnxTensor.createTensor(env, FloatBuffer.wrap(x, 0, rows * n),
          new long[] {rows, shape[0], shape[1], shape[2]}));
      inputs.put(INPUT_SIGMA, OnnxTensor.createTensor(env, FloatBuffer.wrap(sigma, 0, rows), new long[] {rows}));
      if (numClasses > 0) {
        inputs.put(INPUT_LABELS, OnnxTensor.createTensor(env,
            FloatBuffer.wrap(labels, 0, rows * numClasses), new long[] {rows, numClasses}));
      }
      try (OrtSession.Result result = session.run(inputs)) {
        OnnxValue value = result.get(0);
        FloatBuffer out = ((OnnxTensor) value).getFloatBuffer();
        if (out.remaining() != rows * n) {
          throw new NetworkFailure("field network returned " + out.remaining() + " values, expected " + rows * n);
        }
        float[] denoised = new float[rows * n];
        out.get(denoised);
        return denoised;
      }
    } catch (OrtException e) {
      throw new NetworkFailure("ONNX Runtime failed: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
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
