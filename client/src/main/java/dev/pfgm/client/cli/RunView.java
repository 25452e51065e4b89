package dev.pfgm.client.cli;

import dev.pfgm.client.GenerationEvent;
import dev.pfgm.client.Pixels;
import dev.pfgm.client.Tensors;
import dev.pfgm.proto.v1.Completed;
import dev.pfgm.proto.v1.Started;
import dev.pfgm.proto.v1.Step;
import dev.pfgm.proto.v1.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/** What one generate run shows and writes, event by event, on the consuming thread. */
final class RunView implements AutoCloseable {

  private final Object terminalLock = new Object();
  private final PrintWriter out;
  private final JsonEvents json;
  private final boolean bar;
  private final boolean preview;
  private final ColorMode color;
  private final Animation animation;
  private final Animation.Content animate;
  private final Path output;
  private final String format;
  private Progress progress;
  private LivePreview live;
  private Started started;
  private int skipped;

  RunView(
      PrintWriter out,
      JsonEvents json,
      boolean bar,
      boolean preview,
      ColorMode color,
      Animation animation,
      Animation.Content animate,
      Path output,
      String format) {
    this.out = out;
    this.json = json;
    this.bar = bar;
    this.preview = preview;
    this.color = color;
    this.animation = animation;
    this.animate = animate;
    this.output = output;
    this.format = format;
  }

  boolean wantsDenoised() {
    return preview || (animation != null && animate == Animation.Content.DENOISED);
  }

  boolean wantsState() {
    return animation != null && animate == Animation.Content.STATE;
  }

  JsonEvents json() {
    return json;
  }

  void accept(GenerationEvent event) throws IOException {
    if (event instanceof GenerationEvent.Started s) {
      started(s.proto());
    } else if (event instanceof GenerationEvent.Step s) {
      step(s.proto());
    } else if (event instanceof GenerationEvent.Completed c) {
      completed(c.proto());
    }
  }

  private void started(Started s) {
    started = s;
    if (animation != null) {
      animation.expect(s.getSteps());
    }
    if (json != null) {
      json.started(s);
    }
    if (preview) {
      // Asked before the bar opens its own system terminal (jline allows one at a time).
      int[] size = terminalSize();
      // Room for the bar's line and the summary line below the picture.
      live = new LivePreview(out, terminalLock, color, size[0], Math.max(4, size[1] - 3));
    }
    if (bar) {
      progress = new Progress(s.getSteps(), System.err, terminalLock);
    }
  }

  private void step(Step s) throws IOException {
    skipped += s.getSkipped();
    if (json != null) {
      json.step(s);
    }
    if (progress != null) {
      progress.step(s);
    }
    if (live != null && s.hasDenoised()) {
      live.show(Tensors.floats(s.getDenoised()), Tensors.shape(s.getDenoised()), false);
    }
    if (animation != null) {
      Tensor t = animate == Animation.Content.STATE ? s.getState() : s.getDenoised();
      if (t.getShapeCount() == 4) {
        animation.step(s.getIndex(), Tensors.floats(t), Tensors.shape(t));
      }
    }
  }

  private void completed(Completed c) throws IOException {
    float[] samples = Tensors.floats(c.getSamples());
    int[] shape = Tensors.shape(c.getSamples());
    Animation.createParent(output);
    if (!ImageIO.write(Pixels.grid(samples, shape), format, output.toFile())) {
      throw new IOException("no " + format + " writer for this image");
    }
    if (animation != null) {
      animation.last(samples, shape);
    }
    if (live != null) {
      live.show(samples, shape, true);
    }
    if (progress != null) {
      progress.completed(c.getNfe());
    }
    closeTerminal();
    if (json != null) {
      json.completed(c, output);
    } else {
      Pixels.Grid g = Pixels.Grid.of(shape[0], shape[3], shape[2]);
      out.println(
          String.format(
              Locale.ROOT,
              "wrote %s: %d samples (%dx%d grid) of %s%s, %s, %d NFE, seed %s,"
                  + " %.0f ms (queued %.0f ms)%s",
              output,
              shape[0],
              g.cols(),
              g.rows(),
              started.getModel(),
              started.hasClassLabel() ? ", class " + started.getClassLabel() : "",
              started.getSteps() > 0
                  ? started.getSteps() + " steps"
                  : String.format(
                      Locale.ROOT,
                      "rk45 rtol %s atol %s (%d rejected trials)",
                      started.getRtol(),
                      started.getAtol(),
                      c.getRejectedSteps()),
              c.getNfe(),
              Long.toUnsignedString(started.getSeeds(0)),
              c.getTotalMs(),
              c.getQueueMs(),
              skipped > 0 ? "; " + skipped + " step events coalesced (slow reader)" : ""));
      out.flush();
    }
  }

  /** The run failed: put the terminal back before the error is printed. */
  void abort() {
    closeTerminal();
  }

  private void closeTerminal() {
    if (progress != null) {
      progress.close();
      progress = null;
    }
    if (live != null) {
      live.close();
      live = null;
    }
  }

  @Override
  public void close() throws IOException {
    closeTerminal();
    if (animation != null) {
      animation.close();
    }
  }

  /** Columns and lines of the controlling terminal; 80x24 when it cannot be asked. */
  private static int[] terminalSize() {
    try (Terminal t = TerminalBuilder.builder().system(true).dumb(true).build()) {
      int w = t.getWidth();
      int h = t.getHeight();
      return new int[] {w > 0 ? w : 80, h > 0 ? h : 24};
    } catch (IOException | RuntimeException e) {
      return new int[] {80, 24};
    }
  }
}
