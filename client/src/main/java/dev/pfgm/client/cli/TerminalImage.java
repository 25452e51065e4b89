package dev.pfgm.client.cli;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/**
 * Paints an image into a terminal with the upper half block "▀": each character cell shows two
 * pixel rows, the upper as foreground and the lower as background colour. Colour codes are only
 * written when they change along a line; every line ends with a reset.
 */
final class TerminalImage {

  static final String HALF_BLOCK = "\u2580";
  static final String RESET = "\u001b[0m";
  private static final int NONE = -1;

  private TerminalImage() {}

  /** The escape sequences of a whole image, ceil(height / 2) lines, each ending in a newline. */
  static String render(BufferedImage img, ColorMode mode) {
    Raster raster = img.getRaster();
    int w = img.getWidth();
    int h = img.getHeight();
    StringBuilder sb = new StringBuilder(w * (h / 2 + 1) * 8);
    for (int y = 0; y < h; y += 2) {
      int fg = NONE;
      int bg = NONE;
      for (int x = 0; x < w; x++) {
        int top = rgb(raster, x, y);
        int bottom = y + 1 < h ? rgb(raster, x, y + 1) : NONE;
        if (top != fg) {
          sb.append(color(38, top, mode));
          fg = top;
        }
        if (bottom != bg) {
          // An odd last row shows the terminal's own background below.
          sb.append(bottom == NONE ? "\u001b[49m" : color(48, bottom, mode));
          bg = bottom;
        }
        sb.append(HALF_BLOCK);
      }
      sb.append(RESET).append('\n');
    }
    return sb.toString();
  }

  /** SGR code 38 (foreground) or 48 (background) for a 0xRRGGBB colour. */
  static String color(int layer, int rgb, ColorMode mode) {
    int r = (rgb >> 16) & 0xff;
    int g = (rgb >> 8) & 0xff;
    int b = rgb & 0xff;
    if (mode == ColorMode.TRUECOLOR) {
      return "\u001b[" + layer + ";2;" + r + ";" + g + ";" + b + "m";
    }
    return "\u001b["
        + layer
        + ";5;"
        + grey256(Math.round(0.299f * r + 0.587f * g + 0.114f * b))
        + "m";
  }

  /**
   * The xterm-256 colour nearest to grey level v: 16 (black), the ramp 232..255 (levels 8, 18, ..,
   * 238) or 231 (white).
   */
  static int grey256(int v) {
    int best = 16;
    int bestDistance = Math.abs(v);
    for (int k = 0; k < 24; k++) {
      int d = Math.abs(v - (8 + 10 * k));
      if (d < bestDistance) {
        best = 232 + k;
        bestDistance = d;
      }
    }
    return Math.abs(v - 255) < bestDistance ? 231 : best;
  }

  /**
   * Downscales so the image fits maxCols columns and maxLines lines, each output pixel the average
   * of the source pixels it covers (area averaging: a grid of 64 samples keeps its strokes, where
   * nearest-neighbour would keep one pixel in k and drop thin ones).
   */
  static BufferedImage fit(BufferedImage img, int maxCols, int maxLines) {
    double scale =
        Math.min(
            1.0, Math.min((double) maxCols / img.getWidth(), 2.0 * maxLines / img.getHeight()));
    if (scale >= 1.0) {
      return img;
    }
    int w = Math.max(1, (int) (img.getWidth() * scale));
    int h = Math.max(1, (int) (img.getHeight() * scale));
    BufferedImage out = new BufferedImage(w, h, img.getType());
    Raster src = img.getRaster();
    int bands = src.getNumBands();
    int[] px = new int[bands];
    long[] sum = new long[bands];
    for (int y = 0; y < h; y++) {
      int y0 = (int) (y / scale);
      int y1 = Math.min(img.getHeight(), Math.max(y0 + 1, (int) ((y + 1) / scale)));
      for (int x = 0; x < w; x++) {
        int x0 = (int) (x / scale);
        int x1 = Math.min(img.getWidth(), Math.max(x0 + 1, (int) ((x + 1) / scale)));
        java.util.Arrays.fill(sum, 0);
        for (int sy = y0; sy < y1; sy++) {
          for (int sx = x0; sx < x1; sx++) {
            src.getPixel(sx, sy, px);
            for (int b = 0; b < bands; b++) {
              sum[b] += px[b];
            }
          }
        }
        int n = (y1 - y0) * (x1 - x0);
        for (int b = 0; b < bands; b++) {
          px[b] = (int) ((sum[b] + n / 2) / n);
        }
        out.getRaster().setPixel(x, y, px);
      }
    }
    return out;
  }

  /** The raw samples as 0xRRGGBB (getRGB would gamma-convert TYPE_BYTE_GRAY). */
  private static int rgb(Raster raster, int x, int y) {
    if (raster.getNumBands() == 1) {
      int v = raster.getSample(x, y, 0);
      return v << 16 | v << 8 | v;
    }
    return raster.getSample(x, y, 0) << 16
        | raster.getSample(x, y, 1) << 8
        | raster.getSample(x, y, 2);
  }
}
