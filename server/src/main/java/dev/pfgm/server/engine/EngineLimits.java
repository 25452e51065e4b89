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

  /** Up to 4096 rows per call: see {@code ModelCard.MAX_DATA_DIM} for why not more. */
  public static final IntRange BATCH_ROWS = new IntRange(1, 4096);

  public static final IntRange ACTIVE_ROWS = new IntRange(1, 1_000_000);
  public static final IntRange QUEUED_ROWS = new IntRange(0, 10_000_000);

  public static final EngineLimits DEFAULTS =
      new EngineLimits(DEFAULT_MAX_BATCH_ROWS, DEFAULT_MAX_ACTIVE_ROWS, DEFAULT_MAX_QUEUED_ROWS);

  public EngineLimits {
    BATCH_ROWS.check("maxBatchRows", maxBatchRows);
    ACTIVE_ROWS.check("maxActiveRows", maxActiveRows);
    QUEUED_ROWS.check("maxQueuedRows", maxQueuedRows);
  }
}
