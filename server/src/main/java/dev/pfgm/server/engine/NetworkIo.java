package dev.pfgm.server.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The network call's memory: direct, native-order float32 buffers that ONNX Runtime reads and
 * writes in place (no copy on the way in, none on the way out), sized once for the batch limit and
 * reused by every call. Row r of each buffer starts at r times its width; positions and limits are
 * not used.
 *
 * @param x [rows][C*H*W], NCHW
 * @param sigma [rows]
 * @param labels [rows][numClasses], or null for unconditional networks
 * @param out [rows][C*H*W], the denoised estimates
 */
public record NetworkIo(
    FloatBuffer x,
    FloatBuffer sigma,
    FloatBuffer labels,
    FloatBuffer out,
    int dataDim,
    int numClasses) {

  public static NetworkIo allocate(int rows, int dataDim, int numClasses) {
    return new NetworkIo(
        direct(rows * dataDim),
        direct(rows),
        numClasses > 0 ? direct(rows * numClasses) : null,
        direct(rows * dataDim),
        dataDim,
        numClasses);
  }

  /** Rows {@code from..to-1} as their own buffers over the same memory. */
  public NetworkIo rows(int from, int to) {
    int n = to - from;
    return new NetworkIo(
        x.slice(from * dataDim, n * dataDim),
        sigma.slice(from, n),
        labels == null ? null : labels.slice(from * numClasses, n * numClasses),
        out.slice(from * dataDim, n * dataDim),
        dataDim,
        numClasses);
  }

  private static FloatBuffer direct(int floats) {
    return ByteBuffer.allocateDirect(4 * floats).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }
}
