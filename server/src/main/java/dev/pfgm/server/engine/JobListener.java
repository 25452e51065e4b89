package dev.pfgm.server.engine;

/**
 * Receives a job's events, on the engine's thread, in order: admitted, then steps, then exactly one
 * of completed or failed (or nothing more after a cancellation). Implementations must not block:
 * copy what they need and hand it to their own thread.
 */
public interface JobListener {

  /**
   * The job was accepted; queuePosition is 0 when it started at once, else its 1-based place in the
   * queue.
   */
  void admitted(int queuePosition);

  /** A solver step finished for every sample of the job; the view is valid only during the call. */
  void step(StepView step);

  /** The last step finished; the view is valid only during the call. */
  void completed(CompletedView result);

  /** The job ended without a result. */
  void failed(EngineException error);

  /**
   * Whether step events are read now. False while the client is behind: a job run on another node
   * then sends no frames (they coalesce at the source) and reports {@link #stepSkipped}.
   */
  default boolean wantsFrames() {
    return true;
  }

  /** Whether step frames read the denoised estimate (a job run elsewhere sends it only then). */
  default boolean readsDenoised() {
    return true;
  }

  /** A reported step whose frame was not built because the client was behind. */
  default void stepSkipped(int index) {}

  /** The node that runs the job (in a cluster), told before {@link #admitted}. */
  default void placedOn(String node) {}
}
