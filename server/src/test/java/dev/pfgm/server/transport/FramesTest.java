package dev.pfgm.server.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pfgm.proto.v1.Tensor;
import dev.pfgm.server.it.ServerFixture;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FramesTest {

  @Test
  void pixelsFollowTheDesignFormula() {
    assertEquals(0, Frames.pixel(-1.01));
    assertEquals(0, Frames.pixel(-1.0)); // floor(0.5)
    assertEquals(128, Frames.pixel(0.0));
    assertEquals(255, Frames.pixel(1.0)); // floor(255.5) clipped
    assertEquals(191, Frames.pixel(0.5)); // floor(191.75)
    assertEquals(255, Frames.pixel(7));
  }

  @Test
  void grayscalePngDecodesToTheSamePixels() throws Exception {
    double[] x = new Random(3).doubles(5 * 7, -1.2, 1.2).toArray();
    BufferedImage img =
        ImageIO.read(
            new ByteArrayInputStream(
                Frames.pngs(Frames.snapshot(List.of(x), v -> v, 35), new int[] {1, 5, 7})
                    .get(0)
                    .toByteArray()));
    assertEquals(7, img.getWidth());
    assertEquals(5, img.getHeight());
    for (int y = 0; y < 5; y++) {
      for (int c = 0; c < 7; c++) {
        assertEquals(
            Frames.pixel((float) x[y * 7 + c]),
            img.getRaster().getSample(c, y, 0),
            "pixel " + y + "," + c);
      }
    }
  }

  /**
   * 3 x 160 x 200 is 96,160 raw bytes with the filter bytes: two deflate stored blocks (65,535
   * max).
   */
  @ParameterizedTest
  @CsvSource({"3, 4", "160, 200"})
  void rgbPngDecodesToTheSamePixelsPerChannel(int h, int w) throws Exception {
    double[] x = new Random(4).doubles(3 * h * w, -1, 1).toArray();
    BufferedImage img =
        ImageIO.read(
            new ByteArrayInputStream(
                Frames.pngs(Frames.snapshot(List.of(x), v -> v, x.length), new int[] {3, h, w})
                    .get(0)
                    .toByteArray()));
    assertEquals(w, img.getWidth());
    assertEquals(h, img.getHeight());
    for (int ch = 0; ch < 3; ch++) {
      for (int p = 0; p < h * w; p++) {
        assertEquals(
            Frames.pixel((float) x[ch * h * w + p]),
            img.getRaster().getSample(p % w, p / w, ch),
            "pixel " + p);
      }
    }
  }

  @Test
  void tensorIsLittleEndianFloat32WithItsShape() {
    double[] a = {0.1, -2.5, 3e-8, 1};
    double[] b = {4, 5, 6, 7};
    Tensor t = Frames.tensor(Frames.snapshot(List.of(a, b), v -> v, 4), new int[] {1, 2, 2});
    assertEquals(List.of(2, 1, 2, 2), t.getShapeList());
    float[][] rows = ServerFixture.rows(t);
    for (int k = 0; k < 4; k++) {
      assertEquals((float) a[k], rows[0][k]);
      assertEquals((float) b[k], rows[1][k]);
    }
    // a[3] = 1.0f is 00 00 80 3f in little-endian IEEE-754: the byte order itself, not only a round
    // trip.
    assertArrayEquals(
        new byte[] {0x00, 0x00, (byte) 0x80, 0x3f}, t.getData().substring(12, 16).toByteArray());
  }
}
