package dev.pfgm.server.transport;

import dev.pfgm.server.engine.IntRange;

/**
 * Bounds on the work one request may ask for, and on the response bytes slow readers may hold.
 *
 * @param maxSamples largest num_samples
 * @param maxSteps largest steps
 * @param maxMessageBytes largest response message the server will build (clients' receive limit;
 *     grpcurl and ghz default to 4 MiB)
 * @param streamQueueBytes response bytes one stream may hold unsent before its steps coalesce (or,
 *     lossless, its job pauses); see {@link WriteBudget}
 * @param totalQueueBytes the same over all streams
 */
public record ServingLimits(
    int maxSamples,
    int maxSteps,
    int maxMessageBytes,
    long streamQueueBytes,
    long totalQueueBytes) {

  public static final int DEFAULT_MAX_SAMPLES = 64;
  public static final int DEFAULT_MAX_STEPS = 1000;
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
  public static final IntRange SAMPLES = new IntRange(1, 4096);
  public static final IntRange STEPS = new IntRange(1, 100_000);

  /** From 64 KiB (a 128x128 RGB frame and more) to 1 GiB. */
  public static final IntRange MESSAGE_BYTES = new IntRange(64 * 1024, 1 << 30);

  public static final IntRange STREAM_QUEUE_BYTES = new IntRange(64 * 1024, 1 << 30);

  /** And at least {@link #streamQueueBytes}. */
  public static final IntRange TOTAL_QUEUE_BYTES = new IntRange(64 * 1024, Integer.MAX_VALUE);

  public static final ServingLimits DEFAULTS =
      new ServingLimits(
          DEFAULT_MAX_SAMPLES,
          DEFAULT_MAX_STEPS,
          DEFAULT_MAX_MESSAGE_BYTES,
          WriteBudget.DEFAULT_STREAM_BYTES,
          WriteBudget.DEFAULT_TOTAL_BYTES);

  public ServingLimits {
    SAMPLES.check("maxSamples", maxSamples);
    STEPS.check("maxSteps", maxSteps);
    MESSAGE_BYTES.check("maxMessageBytes", maxMessageBytes);
    new WriteBudget(streamQueueBytes, totalQueueBytes); // its rule, in one place
  }

  /** A fresh budget (it counts the bytes queued now) with these bounds. */
  public WriteBudget writeBudget() {
    return new WriteBudget(streamQueueBytes, totalQueueBytes);
  }
}
