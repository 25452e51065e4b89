package dev.pfgm.server.engine;

import dev.pfgm.server.sampler.SampleSolve;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Step-level continuous batching for one field network. Every row that needs D(x, sigma) - any job,
 * any step, Heun predictor or corrector - is packed into one network call per tick, oldest job
 * first; jobs join and leave at step boundaries. Not thread-safe: one thread (the engine's worker
 * context) calls everything but {@link Job#cancel()}.
 */
public final class Engine {

  private static final Logger LOG = Logger.getLogger(Engine.class.getName());

  private final FieldNetwork network;
  private final EngineLimits limits;
  private final LongSupplier nanoClock;
  private final EngineObserver observer;
  private final List<Job> active = new ArrayList<>(); // admission order
  private final ArrayDeque<Job> queued = new ArrayDeque<>();
  private final Batch batch;
  private Job nextFirst; // where the next tick starts packing; null: the oldest job
  // Written by the engine thread only; volatile so gauges may read them from anywhere.
  private volatile int activeRows;
  private volatile long startedJobs; // ever activated: lets a watcher tell "not yet" from "done"
  private volatile int queuedRows;
  private volatile int activeJobs;

  public Engine(FieldNetwork network, EngineLimits limits, LongSupplier nanoClock) {
    this(network, limits, nanoClock, EngineObserver.NONE);
  }

  public Engine(
      FieldNetwork network, EngineLimits limits, LongSupplier nanoClock, EngineObserver observer) {
    this.network = network;
    this.limits = limits;
    this.nanoClock = nanoClock;
    this.observer = observer;
    this.batch = new Batch(network, limits.maxBatchRows());
  }

  /**
   * Admits a job, or fails it at once with {@link CapacityExceeded}.
   *
   * @throws IllegalArgumentException when the job's class rows do not fit the network's classes
   */
  public void submit(Job job) {
    int rows = job.rows();
    float[] oneHot = job.classOneHot();
    if (oneHot != null && oneHot.length != (long) rows * network.numClasses()) {
      throw new IllegalArgumentException(
          "the job has "
              + oneHot.length
              + " class values; its "
              + rows
              + " rows need "
              + network.numClasses()
              + " each");
    }
    long now = nanoClock.getAsLong();
    job.admittedNanos = now;
    if (rows > limits.maxActiveRows()) {
      job.listener()
          .failed(
              new CapacityExceeded(
                  "request needs "
                      + rows
                      + " rows, more than this engine's maxActiveRows "
                      + limits.maxActiveRows()));
    } else if (queued.isEmpty() && activeRows + rows <= limits.maxActiveRows()) {
      activate(job);
      if (!notify(job, l -> l.admitted(0), "announce the job")) {
        finish(job);
      }
    } else if (queuedRows + rows <= limits.maxQueuedRows()) {
      queued.addLast(job);
      queuedRows += rows;
      int position = queued.size();
      if (!notify(job, l -> l.admitted(position), "announce the job") && queued.remove(job)) {
        queuedRows -= rows;
      }
    } else {
      job.listener()
          .failed(
              new CapacityExceeded(
                  "server is full: "
                      + activeRows
                      + " active and "
                      + queuedRows
                      + " queued rows (limits "
                      + limits.maxActiveRows()
                      + " and "
                      + limits.maxQueuedRows()
                      + "); retry later"));
    }
    activeJobs = active.size();
  }

  /**
   * Runs the network once at every power-of-two batch size up to maxBatchRows (and at the limit),
   * so first requests do not pay for ONNX Runtime's first use of a shape.
   */
  public void warmUp() {
    int n = network.dataDim();
    int k = network.numClasses();
    for (int rows = 1; ; rows = Math.min(rows * 2, limits.maxBatchRows())) {
      float[] sigma = new float[rows];
      Arrays.fill(sigma, 1f);
      network.denoise(new float[rows * n], sigma, k > 0 ? new float[rows * k] : null, rows);
      if (rows == limits.maxBatchRows()) {
        break;
      }
    }
  }

  /** Load used for placement: active plus queued rows. */
  public int load() {
    return activeRows + queuedRows;
  }

  /**
   * Whether a tick would compute anything: an active job that is not paused, or a queued one that
   * fits. Paused jobs (and the queue behind them) only wait; a tick now and then reaps them.
   */
  public boolean hasWork() {
    if (!queued.isEmpty() && activeRows + queued.peekFirst().rows() <= limits.maxActiveRows()) {
      return true;
    }
    for (Job job : active) {
      if (!job.paused() || job.cancelled()) {
        return true;
      }
    }
    return false;
  }

  /** Whether jobs wait, paused or queued behind paused ones (their deadlines still run). */
  public boolean hasWaiting() {
    return !active.isEmpty() || !queued.isEmpty();
  }

  public int activeRows() {
    return activeRows;
  }

  public int queuedRows() {
    return queuedRows;
  }

  public int activeJobs() {
    return activeJobs;
  }

  /** Jobs that have become active since the engine was made (whatever became of them). */
  public long startedJobs() {
    return startedJobs;
  }

  /**
   * Drops cancelled and expired jobs, starts queued ones that fit, and runs one batched network
   * call.
   *
   * @return rows evaluated
   */
  public int tick() {
    long now = nanoClock.getAsLong();
    reap(now);
    promote();
    pack(now);
    int rows = batch.size();
    if (rows > 0) {
      long start = nanoClock.getAsLong();
      for (Job failed : batch.run()) {
        finish(failed);
        boolean limit = failed.samples().stream().anyMatch(t -> t.failure() != null);
        observer.jobDropped(failed.rows(), limit ? "step_limit" : "network");
      }
      observer.networkCall(rows, nanoClock.getAsLong() - start);
      advance();
    }
    activeJobs = active.size();
    return rows;
  }

  /**
   * Fills the batch round-robin: it starts at the job where the last full batch stopped, so when
   * the active rows exceed one batch, every active job is stepped at least once every ceil(active
   * rows / maxBatchRows) ticks (and all of them every tick when they fit).
   */
  private void pack(long now) {
    batch.clear();
    int n = active.size();
    int start = Math.max(0, active.indexOf(nextFirst));
    nextFirst = null;
    for (int i = 0; i < n; i++) {
      Job job = active.get((start + i) % n);
      if (job.paused()) {
        continue;
      }
      if (batch.full()) {
        nextFirst = job;
        return;
      }
      if (job.startedNanos < 0) {
        job.startedNanos = now;
      }
      // Only the job's slowest rows go, so its samples never drift more than one evaluation apart.
      int progress = job.progress();
      List<SampleSolve> samples = job.samples();
      for (int s = 0; s < samples.size(); s++) {
        SampleSolve t = samples.get(s);
        if (!t.done() && t.nfe() == progress) {
          if (batch.full()) {
            nextFirst = job; // its other rows go first next tick
            return;
          }
          batch.add(job, s);
        }
      }
    }
  }

  private void advance() {
    Iterator<Job> it = active.iterator();
    while (it.hasNext()) {
      Job job = it.next();
      int completed = job.completedSteps();
      while (job.reportedSteps < completed) {
        int i = job.reportedSteps++;
        observer.stepCompleted(job.rows());
        if (job.reports(i)) {
          StepView view = new StepView(i, job.sigmaReached(), job.nfe(), job.samples());
          if (!notify(job, l -> l.step(view), "build step " + i + "'s event")) {
            it.remove();
            activeRows -= job.rows();
            break;
          }
        }
      }
      if (job.done() && !job.cancelled()) {
        it.remove();
        activeRows -= job.rows();
        long end = nanoClock.getAsLong();
        observer.jobCompleted(job.rows(), job.reportedSteps);
        CompletedView result =
            new CompletedView(
                job.samples(),
                job.nfe(),
                job.rejectedSteps(),
                job.startedNanos - job.admittedNanos,
                end - job.startedNanos);
        notify(job, l -> l.completed(result), "build the result");
      }
    }
  }

  private void reap(long now) {
    activeRows -= dropOver(active.iterator(), now);
    queuedRows -= dropOver(queued.iterator(), now);
  }

  /** Removes the cancelled and expired jobs of one list; returns their rows. */
  private int dropOver(Iterator<Job> jobs, long now) {
    int rows = 0;
    while (jobs.hasNext()) {
      Job job = jobs.next();
      if (dropIfOver(job, now)) {
        jobs.remove();
        rows += job.rows();
      }
    }
    return rows;
  }

  private boolean dropIfOver(Job job, long now) {
    if (job.cancelled()) {
      observer.jobDropped(job.rows(), "cancelled");
      return true;
    }
    if (job.deadlineNanos() != Job.NO_DEADLINE && now - job.deadlineNanos() >= 0) {
      job.listener()
          .failed(
              new DeadlineExpired(
                  "deadline passed after "
                      + job.reportedSteps
                      + (job.plannedSteps() > 0 ? " of " + job.plannedSteps() : "")
                      + " steps"));
      observer.jobDropped(job.rows(), "deadline");
      return true;
    }
    return false;
  }

  private void promote() {
    while (!queued.isEmpty() && activeRows + queued.peekFirst().rows() <= limits.maxActiveRows()) {
      Job job = queued.pollFirst();
      queuedRows -= job.rows();
      activate(job);
    }
  }

  private void activate(Job job) {
    active.add(job);
    activeRows += job.rows();
    startedJobs++;
  }

  /**
   * Runs one listener callback. An exception fails that job alone (its stream ends INTERNAL, naming
   * the cause) and cancels it; the caller takes it out of its list. Returns whether it ran.
   */
  private boolean notify(Job job, Consumer<JobListener> event, String what) {
    try {
      event.accept(job.listener());
      return true;
    } catch (RuntimeException e) {
      job.cancel();
      observer.jobDropped(job.rows(), "serving");
      try {
        job.listener().failed(new ServingFailure("cannot " + what + ": " + e, e));
      } catch (RuntimeException again) {
        LOG.log(Level.SEVERE, "job listener failed twice; its stream may not end", again);
      }
      return false;
    }
  }

  /** Removes a job whose rows failed in the network; its listener has been told. */
  private void finish(Job job) {
    if (active.remove(job)) {
      activeRows -= job.rows();
    }
  }
}
