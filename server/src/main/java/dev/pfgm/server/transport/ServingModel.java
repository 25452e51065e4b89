package dev.pfgm.server.transport;

import dev.pfgm.server.engine.Job;
import dev.pfgm.server.runtime.ModelCard;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One served version of a model as the endpoint sees it: its card, where its jobs go, and how many
 * streams use it. Once retired (a reload replaced or removed it) it takes no new stream, and {@link
 * #retire()}'s future completes when the last of its streams has ended: then its engines may go.
 * Lock-free: a stream costs one compare-and-set at its start and one at its end.
 */
public final class ServingModel {

  private final ModelCard card;
  private final JobSink jobs;
  // n >= 0: in service, n streams; -1 - n: retired, n streams left.
  private final AtomicInteger state = new AtomicInteger();
  private final CompletableFuture<Void> drained = new CompletableFuture<>();

  public ServingModel(ModelCard card, JobSink jobs) {
    this.card = card;
    this.jobs = jobs;
  }

  public ModelCard card() {
    return card;
  }

  /**
   * Counts a new stream in, unless this version is retired (then the caller reads the newer set).
   */
  boolean acquire() {
    for (; ; ) {
      int s = state.get();
      if (s < 0) {
        return false;
      }
      if (state.compareAndSet(s, s + 1)) {
        return true;
      }
    }
  }

  /** A stream counted in by acquire() has ended. */
  void release() {
    for (; ; ) {
      int s = state.get();
      if (s == 0 || s == -1) {
        throw new IllegalStateException("release without acquire on model " + card.id());
      }
      int next = s > 0 ? s - 1 : s + 1;
      if (state.compareAndSet(s, next)) {
        if (next == -1) {
          drained.complete(null);
        }
        return;
      }
    }
  }

  void submit(Job job) {
    jobs.submit(job);
  }

  /**
   * Takes no new stream from now on; the future completes (on the thread that ends the last stream,
   * or this one) once no stream uses this version. Idempotent.
   */
  public CompletableFuture<Void> retire() {
    for (; ; ) {
      int s = state.get();
      if (s < 0) {
        return drained;
      }
      if (state.compareAndSet(s, -1 - s)) {
        if (s == 0) {
          drained.complete(null);
        }
        return drained;
      }
    }
  }

  /** Streams using this version now (for tests and logs). */
  public int streams() {
    int s = state.get();
    return s >= 0 ? s : -1 - s;
  }
}
