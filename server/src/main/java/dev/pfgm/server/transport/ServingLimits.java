package dev.pfgm.server.transport;

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
  public static final ServingLimits DEFAULTS =
      new ServingLimits(
          DEFAULT_MAX_SAMPLES,
          DEFAULT_MAX_STEPS,
          DEFAULT_MAX_MESSAGE_BYTES,
          WriteBudget.DEFAULT_STREAM_BYTES,
          WriteBudget.DEFAULT_TOTAL_BYTES);

  public ServingLimits {
    if (maxSamples < 1 || maxSamples > 4096) {
      throw new IllegalArgumentException("maxSamples must be in 1..4096, was " + maxSamples);
    }
    if (maxSteps < 1 || maxSteps > 100_000) {
      throw new IllegalArgumentException("maxSteps must be in 1..100000, was " + maxSteps);
    }
    if (maxMessageBytes < 64 * 1024) {
      throw new IllegalArgumentException(
          "maxMessageBytes must be >= 65536, was " + maxMessageBytes);
    }
    new WriteBudget(streamQueueBytes, totalQueueBytes); // its rule, in one place
  }

  /** A fresh budget (it counts the bytes queued now) with these bounds. */
  public WriteBudget writeBudget() {
    return new WriteBudget(streamQueueBytes, totalQueueBytes);
  }
}
