package dev.pfgm.server.engine;

import dev.pfgm.server.sampler.Trajectory;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * One generation request inside the engine: a trajectory per sample, all on the same schedule. Only
 * {@link #cancel()} may be called from other threads.
 */
public final class Job {

  /** No deadline. */
  public static final long NO_DEADLINE = Long.MAX_VALUE;

  private final List<Trajectory> samples;
  private final float[] classOneHot; // [numClasses], or null for unconditional networks
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
   * @param samples one trajectory per sample, on the same schedule and solver
   * @param classOneHot [numClasses] one-hot row shared by all samples, or null
   * @param previewEvery report every k-th step and the last; 0 reports no steps
   * @param deadlineNanos engine-clock deadline, or {@link #NO_DEADLINE}
   */
  public Job(
      List<Trajectory> samples,
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
   * The job's trajectories. Read and written by the thread that runs the job only (its engine, or
   * in a cluster the gateway's mirror of a job that a worker runs).
   */
  public List<Trajectory> samples() {
    return samples;
  }

  /** [numClasses] one-hot row, or null for unconditional networks; do not modify. */
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
    return samples.stream().allMatch(Trajectory::done);
  }

  /** Network evaluations done by the job's slowest sample. */
  int progress() {
    return slowest(Trajectory::nfe);
  }

  /** Solver steps completed by the job's slowest sample. */
  int completedSteps() {
    return slowest(Trajectory::completedSteps);
  }

  private int slowest(ToIntFunction<Trajectory> measure) {
    int min = Integer.MAX_VALUE;
    for (Trajectory t : samples) {
      min = Math.min(min, measure.applyAsInt(t));
    }
    return min;
  }

  /** Whether step index i (0-based, of n) is reported. */
  public boolean reports(int i) {
    int n = samples.get(0).schedule().steps();
    return previewEvery > 0 && ((i + 1) % previewEvery == 0 || i == n - 1);
  }
}
