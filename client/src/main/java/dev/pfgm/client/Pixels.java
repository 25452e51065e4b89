package dev.pfgm.client;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;

/**
 * 8-bit pixels of samples in data scale ([-1, 1]), with the server's PNG rule, and sample grids.
 */
public final class Pixels {

  /** Background pixels between the tiles of a grid. */
  public static final int GAP = 2;

  private Pixels() {}

  /** floor(clip(127.5 x + 128, 0, 255)), as the server's Completed.png. */
  public static int pixel(float x) {
    return (int) Math.floor(Math.min(255.0, Math.max(0.0, 127.5 * x + 128.0)));
  }

  /**
   * Where sample i of n lands in a grid of ceil(sqrt(n)) columns with {@link #GAP} between tiles.
   *
   * @param tileW sample width W
   * @param tileH sample height H
   */
  public record Grid(int samples, int cols, int rows, int tileW, int tileH) {

    public static Grid of(int samples, int tileW, int tileH) {
      int cols = (int) Math.ceil(Math.sqrt(samples));
      return new Grid(samples, cols, (samples + cols - 1) / cols, tileW, tileH);
    }

    public int width() {
      return cols * tileW + (cols - 1) * GAP;
    }

    public int height() {
      return rows * tileH + (rows - 1) * GAP;
    }

    public int x0(int i) {
      return (i % cols) * (tileW + GAP);
    }

    public int y0(int i) {
      return (i / cols) * (tileH + GAP);
    }
  }

  /**
   * A grid image of a [N, C, H, W] batch: TYPE_BYTE_GRAY for C = 1, TYPE_INT_RGB for C = 3.
   *
   * @param nchw values, [N][C*H*W]
   * @param shape N, C, H, W
   */
  public static BufferedImage grid(float[] nchw, int[] shape) {
    int n = shape[0];
    int c = shape[1];
    int h = shape[2];
    int w = shape[3];
    if (c != 1 && c != 3) {
      throw new IllegalArgumentException("images need 1 or 3 channels, have " + c);
    }
    Grid g = Grid.of(n, w, h);
    BufferedImage img =
        new BufferedImage(
            g.width(),
            g.height(),
            c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    WritableRaster raster = img.getRaster();
    int[] px = new int[c];
    for (int i = 0; i < n; i++) {
      int base = i * c * h * w;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int ch = 0; ch < c; ch++) {
            px[ch] = pixel(nchw[base + (ch * h + y) * w + x]);
          }
          raster.setPixel(g.x0(i) + x, g.y0(i) + y, px);
        }
      }
    }
    return img;
  }
}
