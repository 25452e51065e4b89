package dev.pfgm.client.cli;

import dev.pfgm.proto.v1.Step;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress bar (me.tongfei:progressbar): steps done, ETA from the step rate, and as extra
 * message the noise level reached and the network evaluations per second (per sample, as the
 * wire's nfe counts them). It redraws from its own thread, under the terminal lock it shares with
 * the live preview.
 */
final class Progress implements AutoCloseable {

  private final ProgressBar bar;
  private final long startNanos = System.nanoTime();

  Progress(int steps, PrintStream err, Object terminalLock) {
    this.bar = new ProgressBarBuilder()
        .setTaskName("step")
        .setInitialMax(steps)
        .setStyle(ProgressBarStyle.UNICODE_BLOCK)
        .setUpdateIntervalMillis(100)
        .setConsumer(new LockedConsumer(err, terminalLock))
        .build();
  }

  void step(Step step) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    bar.stepTo(step.getIndex() + 1L);
    bar.setExtraMessage(String.format(Locale.ROOT, "σ=%.4g  %.0f NFE/s", step.getSigma(),
        seconds > 0 ? step.getNfe() / seconds : 0.0));
  }

  /**
   * The run completed: the bar goes to its end even when the last Step events were coalesced away
   * (the server drops a pending Step once Completed supersedes it).
   */
  void completed(int nfe) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    bar.stepTo(bar.getMax());
    bar.setExtraMessage(String.format(Locale.ROOT, "σ=0  %.0f NFE/s", seconds > 0 ? nfe / seconds : 0.0));
  }

  @Override
  public void close() {
    bar.close();
  }

  /** The library's console consumer ("\r" + line), serialised with the preview's writes. */
  private static final class LockedConsumer extends ConsoleProgressBarConsumer {
    private final Object lock;
    private final PrintStream stream;

    LockedConsumer(PrintStream stream, Object lock) {
      super(stream);
      this.stream = stream;
      this.lock = lock;
    }

    @Override
    public void accept(String rendered) {
      synchronized (lock) {
        super.accept(rendered);
        stream.flush();
      }
    }

    @Override
    public void close() {
      synchronized (lock) {
        super.close();
      }
    }
  }
}
