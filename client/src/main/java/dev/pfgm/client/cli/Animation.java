package dev.pfgm.client.cli;

import dev.pfgm.client.Pixels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Every streamed step as a PNG frame in a folder and/or a frame of an animated GIF. */
final class Animation implements AutoCloseable {

  /** Which tensor of a Step the frames show. */
  enum Content { DENOISED, STATE }

  static final int FRAME_MS = 100;
  static final int LAST_FRAME_MS = 2000;

  private final Path framesDir;
  private final GifWriter gif;

  Animation(Path framesDir, Path gifFile) throws IOException {
    this.framesDir = framesDir;
    if (framesDir != null) {
      Files.createDirectories(framesDir);
    }
    if (gifFile != null) {
      createParent(gifFile);
    }
    this.gif = gifFile == null ? null : new GifWriter(gifFile);
  }

  static void createParent(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
  }

  /**
   * Adds one step's batch.
   *
   * @param nchw  [N][C*H*W] values in data scale
   * @param shape N, C, H, W
   */
  void step(int index, float[] nchw, int[] shape) throws IOException {
    BufferedImage img = Pixels.grid(nchw, shape);
    if (framesDir != null) {
      ImageIO.write(img, "png", framesDir.resolve(String.format(Locale.ROOT, "step-%04d.png", index)).toFile());
    }
    if (gif != null) {
      gif.frame(img, FRAME_MS);
    }
  }

  /** The final samples, held on screen before the GIF loops. */
  void last(float[] nchw, int[] shape) throws IOException {
    if (gif != null) {
      gif.frame(Pixels.grid(nchw, shape), LAST_FRAME_MS);
    }
  }

  @Override
  public void close() throws IOException {
    if (gif != null) {
      gif.close();
    }
  }
}
