package dev.pfgm.client;

import java.util.ArrayDeque;

/**
 * The hand-off from a stream's event loop to one consuming thread, with flow control: the stream is
 * paused while {@link #HIGH_WATER} items wait and resumed once the consumer is down to {@link
 * #LOW_WATER}.
 *
 * <p>Every decision to pause or resume is taken, and the request issued, under one lock together
 * with the queue change that caused it. So the requests reach the stream in the order they were
 * decided, and whenever the stream was last asked to pause, at least {@code LOW_WATER + 1} items
 * are waiting: the consumer's next takes are bound to resume it. (Deciding outside the lock lost a
 * resume: a consumer that drained the queue between the producer's size check and its pause left a
 * paused stream and an empty queue, and {@link #take()} waited forever.)
 */
final class EventHandoff<T> {

  static final int HIGH_WATER = 8;
  static final int LOW_WATER = 2;

  /**
   * What pausing and resuming the source means; called with the lock held, so they must not block.
   */
  interface Flow {
    void pause();

    void resume();
  }

  private static final Object END = new Object();

  private final Flow flow;
  private final ArrayDeque<Object> items =
      new ArrayDeque<>(); // T, END or a CallFailed; guarded by this
  private boolean paused; // the state the source was last asked to be in; guarded by this
  private boolean closed; // END or a failure was queued: later offers are dropped; guarded by this
  private boolean taken; // END or a failure was taken: take() returns null; consumer thread only

  EventHandoff(Flow flow) {
    this.flow = flow;
  }

  /** Queues an item from the source. */
  synchronized void offer(T item) {
    if (closed) {
      return;
    }
    items.add(item);
    if (!paused && items.size() >= HIGH_WATER) {
      paused = true;
      flow.pause();
    }
    notifyAll();
  }

  /** Ends the items: normally ({@code failure} null) or with a failure; the first end wins. */
  synchronized void end(CallFailed failure) {
    if (closed) {
      return;
    }
    closed = true;
    items.add(failure == null ? END : failure);
    notifyAll();
  }

  /**
   * The next item, waiting for it; null after the normal end.
   *
   * @throws CallFailed the failure the items ended with (once; null after it)
   */
  @SuppressWarnings("unchecked")
  T take() throws InterruptedException {
    if (taken) {
      return null;
    }
    Object next;
    synchronized (this) {
      while (items.isEmpty()) {
        wait();
      }
      next = items.poll();
      if (paused && items.size() <= LOW_WATER) {
        paused = false;
        flow.resume();
      }
    }
    if (next == END) {
      taken = true;
      return null;
    }
    if (next instanceof CallFailed f) {
      taken = true;
      throw f;
    }
    return (T) next;
  }
}
