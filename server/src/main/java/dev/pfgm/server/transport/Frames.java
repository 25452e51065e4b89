package dev.pfgm.server.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.pfgm.proto.v1.Tensor;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.imageio.ImageIO;

/** Encodes per-sample float64 arrays as wire tensors (float32 LE) and 8-bit PNG previews. */
public final class Frames {

  static {
    ImageIO.setUseCache(false);
  }

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
    BufferedImage img = new BufferedImage(w, h, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
    WritableRaster raster = img.getRaster();
    int[] px = new int[c];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int ch = 0; ch < c; ch++) {
          px[ch] = pixel(chw[(ch * h + y) * w + x]);
        }
        raster.setPixel(x, y, px);
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + h * w * c);
    try {
      ImageIO.write(img, "png", bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return UnsafeByteOperations.unsafeWrap(bytes.toByteArray());
  }
}
