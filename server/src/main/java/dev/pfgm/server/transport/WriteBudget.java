package dev.pfgm.server.transport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the response bytes held in this process for clients that read slowly: a stream whose
 * written-but-unsent bytes reach {@code streamBytes}, or that holds any while all streams together
 * hold {@code totalBytes}, is congested: its Step events coalesce (latest wins) until it drains. A
 * stream therefore holds at most {@code streamBytes} plus one message, and one pending Step and its
 * Completed.
 *
 * @param streamBytes bytes queued per stream before its steps coalesce
 * @param totalBytes bytes queued over all streams before every stream with queued bytes coalesces
 */
public record WriteBudget(long streamBytes, long totalBytes, AtomicLong queued) {

  public static final long DEFAULT_STREAM_BYTES = 1L << 20;
  public static final long DEFAULT_TOTAL_BYTES = 64L << 20;

  public WriteBudget {
    if (streamBytes < 1 || totalBytes < streamBytes) {
      throw new IllegalArgumentException(
          "write budget must have 0 < streamBytes <= totalBytes, was "
              + streamBytes
              + " and "
              + totalBytes);
    }
  }

  public WriteBudget(long streamBytes, long totalBytes) {
    this(streamBytes, totalBytes, new AtomicLong());
  }

  /** Whether a stream holding {@code streamQueued} bytes must hold back its Step events. */
  boolean congested(long streamQueued) {
    return streamQueued >= streamBytes || (streamQueued > 0 && queued.get() >= totalBytes);
  }

  void add(long bytes) {
    queued.addAndGet(bytes);
  }

  void release(long bytes) {
    queued.addAndGet(-bytes);
  }

  /** Bytes queued over all streams now (a gauge). */
  public long queuedBytes() {
    return queued.get();
  }
}
