package dev.pfgm.client.cli;

import dev.pfgm.proto.v1.Step;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressState;

/**
 * The progress bar (me.tongfei:progressbar): steps done, ETA from the step rate, the noise level
 * reached and the network evaluations per second (per sample, as the wire's nfe counts them), laid
 * out by {@link StepLine} to fit the terminal's width. It redraws from its own thread, under the
 * terminal lock it shares with the live preview.
 */
final class Progress implements AutoCloseable {

  private final ProgressBar bar;
  private final long startNanos = System.nanoTime();
  private volatile String sigma = "";
  private volatile String rate = "";

  Progress(int steps, PrintStream err, Object terminalLock) {
    this.bar =
        new ProgressBarBuilder()
            .setInitialMax(steps > 0 ? steps : -1) // adaptive (rk45): total unknown
            .setUpdateIntervalMillis(100)
            .setRenderer(this::render)
            .setConsumer(new LockedConsumer(err, terminalLock))
            .build();
  }

  void step(Step step) {
    show(String.format(Locale.ROOT, "σ=%.4g", step.getSigma()), step.getNfe());
    bar.stepTo(step.getIndex() + 1L);
  }

  /**
   * The run completed: the bar goes to its end even when the last Step events were coalesced away
   * (the server drops a pending Step once Completed supersedes it).
   */
  void completed(int nfe) {
    show("σ=0", nfe);
    if (bar.getMax() > 0) {
      bar.stepTo(bar.getMax());
    }
  }

  private void show(String sigmaReached, int nfe) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    sigma = sigmaReached;
    rate = String.format(Locale.ROOT, "%.0f NFE/s", seconds > 0 ? nfe / seconds : 0.0);
  }

  private String render(ProgressState state, int width) {
    long done = state.getCurrent() - state.getStart();
    Duration eta =
        done <= 0
            ? null
            : state
                .getElapsedAfterStart()
                .dividedBy(done)
                .multipliedBy(state.getMax() - state.getCurrent());
    return StepLine.render(
        state.getCurrent(), state.getMax(), state.getTotalElapsed(), eta, sigma, rate, width);
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
