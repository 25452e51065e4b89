package dev.pfgm.server.engine;

/**
 * Bounds of one engine.
 *
 * @param maxBatchRows rows packed into one network call
 * @param maxActiveRows rows of the jobs being stepped
 * @param maxQueuedRows rows of the jobs waiting to start; beyond it admission fails fast
 */
public record EngineLimits(int maxBatchRows, int maxActiveRows, int maxQueuedRows) {

  public static final int DEFAULT_MAX_BATCH_ROWS = 64;
  public static final int DEFAULT_MAX_ACTIVE_ROWS = 256;
  public static final int DEFAULT_MAX_QUEUED_ROWS = 1024;

  public static final EngineLimits DEFAULTS =
      new EngineLimits(DEFAULT_MAX_BATCH_ROWS, DEFAULT_MAX_ACTIVE_ROWS, DEFAULT_MAX_QUEUED_ROWS);

  public EngineLimits {
    if (maxBatchRows < 1 || maxBatchRows > 4096) {
      throw new IllegalArgumentException("maxBatchRows must be in 1..4096, was " + maxBatchRows);
    }
    if (maxActiveRows < 1) {
      throw new IllegalArgumentException("maxActiveRows must be >= 1, was " + maxActiveRows);
    }
    if (maxQueuedRows < 0) {
      throw new IllegalArgumentException("maxQueuedRows must be >= 0, was " + maxQueuedRows);
    }
  }
}
