package dev.pfgm.client.cli;

import dev.pfgm.client.Pixels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Every streamed step as a PNG frame in a folder, and/or frames of an animated GIF: at most {@link
 * Gif#maxFrames()} of them (an even selection of the steps, the last always in), shown at {@link
 * Gif#fps()}, each pixel scaled up {@link Gif#scale()} times.
 */
final class Animation implements AutoCloseable {

  /** How the GIF is made. */
  record Gif(int fps, int scale, int maxFrames) {
    static final Gif DEFAULTS = new Gif(10, 1, 300);

    Gif {
      if (fps < 1 || fps > 50) {
        throw new IllegalArgumentException("--gif-fps must be in 1..50, was " + fps);
      }
      if (scale < 1 || scale > 16) {
        throw new IllegalArgumentException("--gif-scale must be in 1..16, was " + scale);
      }
      if (maxFrames < 2 || maxFrames > 10_000) {
        throw new IllegalArgumentException(
            "--gif-max-frames must be in 2..10000, was " + maxFrames);
      }
    }
  }

  /** Which tensor of a Step the frames show. */
  enum Content {
    DENOISED,
    STATE
  }

  static final int LAST_FRAME_MS = 2000;

  private final Path framesDir;
  private final GifWriter gif;
  private final Gif options;
  private final int previewEvery;
  private int stride = 1; // every stride-th streamed step goes into the GIF
  private int streamed;

  Animation(Path framesDir, Path gifFile, Gif options, int previewEvery) throws IOException {
    this.framesDir = framesDir;
    this.options = options;
    this.previewEvery = previewEvery;
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
   * @param nchw [N][C*H*W] values in data scale
   * @param shape N, C, H, W
   */
  /**
   * The run's schedule steps (from Started): with every k-th step streamed, ceil(steps / k) frames.
   */
  void expect(int steps) {
    int events = previewEvery <= 0 ? 0 : (steps + previewEvery - 1) / previewEvery;
    stride = Math.max(1, (events + options.maxFrames() - 2) / (options.maxFrames() - 1));
  }

  void step(int index, float[] nchw, int[] shape) throws IOException {
    BufferedImage img = Pixels.grid(nchw, shape);
    if (framesDir != null) {
      ImageIO.write(
          img,
          "png",
          framesDir.resolve(String.format(Locale.ROOT, "step-%04d.png", index)).toFile());
    }
    if (gif != null && streamed++ % stride == 0) {
      gif.frame(scaled(img), 1000 / options.fps());
    }
  }

  /** Each pixel as a scale x scale block (the images are tiny; smoothing would blur the digits). */
  private BufferedImage scaled(BufferedImage img) {
    int k = options.scale();
    if (k == 1) {
      return img;
    }
    BufferedImage out = new BufferedImage(img.getWidth() * k, img.getHeight() * k, img.getType());
    int[] px = new int[img.getRaster().getNumBands()];
    for (int y = 0; y < out.getHeight(); y++) {
      for (int x = 0; x < out.getWidth(); x++) {
        out.getRaster().setPixel(x, y, img.getRaster().getPixel(x / k, y / k, px));
      }
    }
    return out;
  }

  /** The final samples, held on screen before the GIF loops. */
  void last(float[] nchw, int[] shape) throws IOException {
    if (gif != null) {
      gif.frame(scaled(Pixels.grid(nchw, shape)), LAST_FRAME_MS);
    }
  }

  @Override
  public void close() throws IOException {
    if (gif != null) {
      gif.close();
    }
  }
}
