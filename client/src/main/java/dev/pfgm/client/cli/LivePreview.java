package dev.pfgm.client.cli;

import dev.pfgm.client.Pixels;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;

/**
 * The denoised estimate drawn in place above the progress bar: each frame moves the cursor back up
 * over the previous one and overwrites it. Frames are throttled so a fast stream does not flood a
 * slow terminal; the last one is always drawn.
 */
final class LivePreview implements AutoCloseable {

  static final String HIDE_CURSOR = "\u001b[?25l";
  static final String SHOW_CURSOR = "\u001b[?25h";
  private static final long MIN_FRAME_NANOS = 50_000_000L;

  private final PrintWriter out;
  private final Object lock;
  private final ColorMode mode;
  private final int maxCols;
  private final int maxLines;
  private int drawnLines;
  private long lastFrameNanos;

  LivePreview(PrintWriter out, Object terminalLock, ColorMode mode, int maxCols, int maxLines) {
    this.out = out;
    this.lock = terminalLock;
    this.mode = mode;
    this.maxCols = maxCols;
    this.maxLines = maxLines;
  }

  /**
   * Draws a batch as a grid, unless the last frame was under 50 ms ago and this one is not final.
   *
   * @param nchw [N][C*H*W] values in data scale
   * @param shape N, C, H, W
   */
  void show(float[] nchw, int[] shape, boolean last) {
    long now = System.nanoTime();
    if (!last && drawnLines > 0 && now - lastFrameNanos < MIN_FRAME_NANOS) {
      return;
    }
    lastFrameNanos = now;
    BufferedImage img = TerminalImage.fit(Pixels.grid(nchw, shape), maxCols, maxLines);
    String frame = TerminalImage.render(img, mode);
    synchronized (lock) {
      // Up over the last frame; the first one starts on the bar's line, which it pushes down.
      out.print(drawnLines > 0 ? "\r\u001b[" + drawnLines + "A" : "\r\u001b[K" + HIDE_CURSOR);
      out.print(frame);
      out.flush();
      drawnLines = (img.getHeight() + 1) / 2;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      out.print(TerminalImage.RESET + SHOW_CURSOR);
      out.flush();
    }
  }
}
