package dev.pfgm.server.engine;

/**
 * Hooks for metrics, called on the engine's thread; implementations must be cheap and must not
 * block. Every method defaults to doing nothing.
 */
public interface EngineObserver {

  EngineObserver NONE = new EngineObserver() {};

  /** One batched network call of rows rows took nanos nanoseconds. */
  default void networkCall(int rows, long nanos) {}

  /** A job finished one solver step for all its rows. */
  default void stepCompleted(int rows) {}

  /** A job finished all its steps. */
  default void jobCompleted(int rows, int steps) {}

  /** A job left the engine without a result: cancelled, expired or failed. */
  default void jobDropped(int rows, String reason) {}
}
