package dev.pfgm.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class TerminalImageTest {

  private static final String ESC = "\u001b[";

  /** 2 wide, 4 high: two character lines of two half blocks. */
  private static BufferedImage tiny() {
    BufferedImage img = new BufferedImage(2, 4, BufferedImage.TYPE_BYTE_GRAY);
    int[][] rows = {{0, 255}, {255, 0}, {128, 128}, {128, 40}};
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 2; x++) {
        img.getRaster().setSample(x, y, 0, rows[y][x]);
      }
    }
    return img;
  }

  @Test
  void trueColourPaintsUpperPixelAsForegroundAndLowerAsBackground() {
    String expected =
        ESC
            + "38;2;0;0;0m"
            + ESC
            + "48;2;255;255;255m▀"
            + ESC
            + "38;2;255;255;255m"
            + ESC
            + "48;2;0;0;0m▀"
            + ESC
            + "0m\n"
            + ESC
            + "38;2;128;128;128m"
            + ESC
            + "48;2;128;128;128m▀"
            + ESC
            + "48;2;40;40;40m▀"
            + ESC
            + "0m\n";
    assertEquals(expected, TerminalImage.render(tiny(), ColorMode.TRUECOLOR));
  }

  @Test
  void fallbackUsesTheXterm256GreyRamp() {
    // 0 -> 16 (black), 255 -> 231 (white), 128 -> 244 (level 128), 40 -> 235 (level 38).
    String expected =
        ESC
            + "38;5;16m"
            + ESC
            + "48;5;231m▀"
            + ESC
            + "38;5;231m"
            + ESC
            + "48;5;16m▀"
            + ESC
            + "0m\n"
            + ESC
            + "38;5;244m"
            + ESC
            + "48;5;244m▀"
            + ESC
            + "48;5;235m▀"
            + ESC
            + "0m\n";
    assertEquals(expected, TerminalImage.render(tiny(), ColorMode.ANSI256));
  }

  @Test
  void oddLastRowLeavesTheTerminalBackground() {
    BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 0x102030);
    // Lines start after a reset, so the default background needs no code.
    assertEquals(
        ESC + "38;2;16;32;48m▀" + ESC + "0m\n", TerminalImage.render(img, ColorMode.TRUECOLOR));
  }

  @Test
  void largeImagesAreScaledToFitTheTerminal() {
    BufferedImage img = new BufferedImage(200, 100, BufferedImage.TYPE_BYTE_GRAY);
    BufferedImage fitted = TerminalImage.fit(img, 100, 20);
    assertEquals(80, fitted.getWidth());
    assertEquals(40, fitted.getHeight());
  }

  @Test
  void downscalingAveragesTheAreaEachPixelCovers() {
    // A one-pixel checkerboard halved: nearest-neighbour would keep only the black (or white)
    // pixels.
    BufferedImage board = new BufferedImage(200, 80, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 80; y++) {
      for (int x = 0; x < 200; x++) {
        board.getRaster().setSample(x, y, 0, (x + y) % 2 == 0 ? 0 : 255);
      }
    }
    BufferedImage fitted = TerminalImage.fit(board, 100, 20);
    assertEquals(100, fitted.getWidth());
    for (int y = 0; y < fitted.getHeight(); y++) {
      for (int x = 0; x < fitted.getWidth(); x++) {
        assertEquals(
            128,
            fitted.getRaster().getSample(x, y, 0),
            "pixel " + x + "," + y); // (0+255+255+0+2)/4
      }
    }
  }
}
