package dev.pfgm.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.pfgm.proto.v1.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client's decoder of wire tensors, against bytes written out by hand. */
class TensorsTest {

  @Test
  void floatsAreLittleEndianIeee754RowMajor() {
    // 1.0f = 3f800000, -2.5f = c0200000, 0.5f = 3f000000: each little-endian.
    byte[] bytes = {
      0x00, 0x00, (byte) 0x80, 0x3f, 0x00, 0x00, 0x20, (byte) 0xc0, 0x00, 0x00, 0x00, 0x3f
    };
    Tensor t =
        Tensor.newBuilder().addAllShape(List.of(3, 1)).setData(ByteString.copyFrom(bytes)).build();
    assertArrayEquals(new float[] {1f, -2.5f, 0.5f}, Tensors.floats(t));
    assertArrayEquals(new int[] {3, 1}, Tensors.shape(t));
  }

  @Test
  void dataThatDoesNotMatchTheShapeIsRefused() {
    Tensor t =
        Tensor.newBuilder()
            .addAllShape(List.of(2, 2))
            .setData(ByteString.copyFrom(new byte[12]))
            .build();
    assertThrows(IllegalArgumentException.class, () -> Tensors.floats(t));
  }
}
