package dev.pfgm.client;

import dev.pfgm.proto.v1.Tensor;
import java.nio.ByteOrder;

/** Decodes wire tensors (little-endian IEEE-754 float32, row-major). */
public final class Tensors {

  private Tensors() {}

  /** All values, row-major; checks that the data length matches the shape. */
  public static float[] floats(Tensor t) {
    long n = elements(t);
    if (t.getData().size() != 4 * n) {
      throw new IllegalArgumentException(
          "tensor of shape "
              + t.getShapeList()
              + " needs "
              + 4 * n
              + " bytes, has "
              + t.getData().size());
    }
    float[] out = new float[(int) n];
    t.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  /** The shape as ints, outermost first. */
  public static int[] shape(Tensor t) {
    return t.getShapeList().stream().mapToInt(Integer::intValue).toArray();
  }

  static long elements(Tensor t) {
    long n = 1;
    for (int d : t.getShapeList()) {
      n *= Integer.toUnsignedLong(d);
    }
    return n;
  }
}
