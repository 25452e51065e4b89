package dev.pfgm.server.engine;

import dev.pfgm.server.sampler.SampleSolve;
import java.util.List;

/**
 * One generation request inside the engine: a trajectory per sample, all on the same schedule. Only
 * {@link #cancel()} may be called from other threads.
 */
public final class Job {

  /** No deadline. */
  public static final long NO_DEADLINE = Long.MAX_VALUE;

  private final List<SampleSolve> samples;
  private final float[] classOneHot; // [rows × numClasses], or null for unconditional networks
  private final int previewEvery;
  private final long deadlineNanos;
  private final JobListener listener;
  private volatile boolean cancelled;
  private volatile boolean paused;
  private volatile Runnable wake = () -> {};

  long admittedNanos;
  long startedNanos = -1;
  int reportedSteps;

  /**
   * @param samples one solve per sample, with the same solver (and schedule, when it has one)
   * @param classOneHot [samples × numClasses] one-hot rows, row-major (sample i's class in row i),
   *     or null for a network without classes
   * @param previewEvery report every k-th step and the last; 0 reports no steps
   * @param deadlineNanos engine-clock deadline, or {@link #NO_DEADLINE}
   */
  public Job(
      List<? extends SampleSolve> samples,
      float[] classOneHot,
      int previewEvery,
      long deadlineNanos,
      JobListener listener) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("a job needs at least one sample");
    }
    if (previewEvery < 0) {
      throw new IllegalArgumentException("previewEvery must be >= 0, was " + previewEvery);
    }
    this.samples = List.copyOf(samples);
    this.classOneHot = classOneHot;
    this.previewEvery = previewEvery;
    this.deadlineNanos = deadlineNanos;
    this.listener = listener;
    // A job resumed from checkpoints reports from its first step still to do.
    this.reportedSteps = completedSteps();
  }

  /** Asks the engine to drop this job at its next step boundary; no further events follow. */
  public void cancel() {
    cancelled = true;
    wake.run();
  }

  public boolean cancelled() {
    return cancelled;
  }

  /** Takes the job's rows out of the batches from the next tick on, until {@link #resume()}. */
  public void pause() {
    paused = true;
  }

  /** Puts a paused job's rows back into the batches. */
  public void resume() {
    paused = false;
    wake.run();
  }

  public boolean paused() {
    return paused;
  }

  /** What the engine's owner runs when a paused or idle engine has work again (any thread). */
  public void onWake(Runnable r) {
    wake = r;
  }

  public int rows() {
    return samples.size();
  }

  /**
   * The job's solves. Read and written by the thread that runs the job only (its engine, or in a
   * cluster the gateway's mirror of a job that a worker runs).
   */
  public List<SampleSolve> samples() {
    return samples;
  }

  /** [rows × numClasses] one-hot rows, or null for a network without classes; do not modify. */
  public float[] classOneHot() {
    return classOneHot;
  }

  /** Engine-clock deadline, or {@link #NO_DEADLINE}. */
  public long deadlineNanos() {
    return deadlineNanos;
  }

  public int previewEvery() {
    return previewEvery;
  }

  public JobListener listener() {
    return listener;
  }

  boolean done() {
    return samples.stream().allMatch(SampleSolve::done);
  }

  /**
   * Network evaluations done by the job's slowest unfinished sample (an adaptive sample that
   * finished early must not hold the others back).
   */
  int progress() {
    int min = Integer.MAX_VALUE;
    for (SampleSolve t : samples) {
      if (!t.done()) {
        min = Math.min(min, t.nfe());
      }
    }
    return min;
  }

  /**
   * Solver steps completed by the job: those of its slowest unfinished sample, or of its longest
   * once all are done. Fixed-schedule samples move in lock-step, so that is the slowest sample's
   * count; adaptive samples each take their own steps, and this count never goes down.
   */
  int completedSteps() {
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (SampleSolve t : samples) {
      max = Math.max(max, t.completedSteps());
      if (!t.done()) {
        min = Math.min(min, t.completedSteps());
      }
    }
    return min == Integer.MAX_VALUE ? max : min;
  }

  /** The noise level every sample has reached: the largest current sigma among them. */
  double sigmaReached() {
    double sigma = 0;
    for (SampleSolve t : samples) {
      sigma = Math.max(sigma, t.sigma());
    }
    return sigma;
  }

  /** Network evaluations of the job's busiest sample (all equal on a fixed schedule). */
  int nfe() {
    int max = 0;
    for (SampleSolve t : samples) {
      max = Math.max(max, t.nfe());
    }
    return max;
  }

  /** Trial steps rejected by the error control, summed over the samples. */
  int rejectedSteps() {
    return samples.stream().mapToInt(SampleSolve::rejectedSteps).sum();
  }

  /** The steps the job takes when fixed in advance; 0 for an adaptive solver. */
  int plannedSteps() {
    return samples.get(0).plannedSteps();
  }

  /** Whether step index i (0-based) is reported: every previewEvery-th and the job's last. */
  public boolean reports(int i) {
    return previewEvery > 0
        && ((i + 1) % previewEvery == 0 || (done() && i == completedSteps() - 1));
  }
}
