package dev.pfgm.server.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.pfgm.proto.v1.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Encodes per-sample float64 arrays as wire tensors (float32 LE) and 8-bit PNG previews. */
public final class Frames {

  private Frames() {}

  /** [samples, C, H, W] float32 little-endian. */
  public static <T> Tensor tensor(List<T> samples, Function<T, double[]> values, int[] shape) {
    int n = shape[0] * shape[1] * shape[2];
    ByteBuffer buf = ByteBuffer.allocate(4 * n * samples.size()).order(ByteOrder.LITTLE_ENDIAN);
    for (T s : samples) {
      double[] v = values.apply(s);
      for (int k = 0; k < n; k++) {
        buf.putFloat((float) v[k]);
      }
    }
    return Tensor.newBuilder()
        .addShape(samples.size()).addShape(shape[0]).addShape(shape[1]).addShape(shape[2])
        .setData(UnsafeByteOperations.unsafeWrap(buf.array()))
        .build();
  }

  /** One PNG per sample. */
  public static <T> List<ByteString> pngs(List<T> samples, Function<T, double[]> values, int[] shape) {
    List<ByteString> out = new ArrayList<>(samples.size());
    for (T s : samples) {
      out.add(png(values.apply(s), shape));
    }
    return out;
  }

  /** 8-bit pixel of a value in data scale: floor(clip(127.5 x + 128, 0, 255)). */
  public static int pixel(double x) {
    return (int) Math.floor(Math.min(255, Math.max(0, 127.5 * x + 128)));
  }

  /** An 8-bit grayscale (C = 1) or RGB (C = 3) PNG of one NCHW sample. */
  public static ByteString png(double[] chw, int[] shape) {
    int c = shape[0];
    int h = shape[1];
    int w = shape[2];
    if (c != 1 && c != 3) {
      throw new IllegalArgumentException("PNG previews need 1 or 3 channels, have " + c);
    }
    byte[] hwc = new byte[h * w * c]; // [H][W][C], interleaved for PNG
    for (int ch = 0; ch < c; ch++) {
      for (int p = 0; p < h * w; p++) {
        hwc[p * c + ch] = (byte) pixel(chw[ch * h * w + p]);
      }
    }
    return UnsafeByteOperations.unsafeWrap(Png.encode(hwc, w, h, c));
  }
}
