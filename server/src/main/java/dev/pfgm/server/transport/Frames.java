package dev.pfgm.server.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.pfgm.proto.v1.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Wire frames in two halves: a snapshot of per-sample float64 arrays as float32 little-endian bytes
 * (taken on the engine thread, one pass, while the arrays are valid), then tensors and 8-bit PNG
 * previews built from the snapshot anywhere else (off the engine's critical path). PNGs follow the
 * float32 values a client receives, so a client can reproduce them from the tensors.
 */
public final class Frames {

  private Frames() {}

  /** [samples][n] float32 little-endian, n = C*H*W. */
  public static <T> byte[] snapshot(List<T> samples, Function<T, double[]> values, int n) {
    ByteBuffer buf = ByteBuffer.allocate(4 * n * samples.size()).order(ByteOrder.LITTLE_ENDIAN);
    for (T s : samples) {
      double[] v = values.apply(s);
      for (int k = 0; k < n; k++) {
        buf.putFloat((float) v[k]);
      }
    }
    return buf.array();
  }

  /** A [samples, C, H, W] tensor over a snapshot (not copied: the snapshot must not change). */
  public static Tensor tensor(byte[] snapshot, int[] shape) {
    int samples = snapshot.length / (4 * shape[0] * shape[1] * shape[2]);
    return Tensor.newBuilder()
        .addShape(samples)
        .addShape(shape[0])
        .addShape(shape[1])
        .addShape(shape[2])
        .setData(UnsafeByteOperations.unsafeWrap(snapshot))
        .build();
  }

  /** One PNG per sample of a snapshot. */
  public static List<ByteString> pngs(byte[] snapshot, int[] shape) {
    int n = shape[0] * shape[1] * shape[2];
    ByteBuffer buf = ByteBuffer.wrap(snapshot).order(ByteOrder.LITTLE_ENDIAN);
    int samples = snapshot.length / (4 * n);
    List<ByteString> out = new ArrayList<>(samples);
    for (int i = 0; i < samples; i++) {
      out.add(png(buf, i * 4 * n, shape));
    }
    return out;
  }

  /** 8-bit pixel of a value in data scale: floor(clip(127.5 x + 128, 0, 255)). */
  public static int pixel(double x) {
    return (int) Math.floor(Math.min(255, Math.max(0, 127.5 * x + 128)));
  }

  /** An 8-bit grayscale (C = 1) or RGB (C = 3) PNG of one NCHW float32 sample at {@code offset}. */
  static ByteString png(ByteBuffer floats, int offset, int[] shape) {
    int c = shape[0];
    int h = shape[1];
    int w = shape[2];
    if (c != 1 && c != 3) {
      throw new IllegalArgumentException("PNG previews need 1 or 3 channels, have " + c);
    }
    byte[] hwc = new byte[h * w * c]; // [H][W][C], interleaved for PNG
    for (int ch = 0; ch < c; ch++) {
      for (int p = 0; p < h * w; p++) {
        hwc[p * c + ch] = (byte) pixel(floats.getFloat(offset + 4 * (ch * h * w + p)));
      }
    }
    return UnsafeByteOperations.unsafeWrap(Png.encode(hwc, w, h, c));
  }
}
