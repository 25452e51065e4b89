package dev.pfgm.client;

import dev.pfgm.proto.v1.GenerateRequest;
import java.time.Duration;

/**
 * A generation read from one consumer thread, one event at a time.
 *
 * <p>Threading: {@link #take()} is for one consumer thread; {@link #cancel()} and {@link #close()}
 * may be called from any thread. While the consumer lags by {@link EventHandoff#HIGH_WATER} events
 * the stream is paused, so a slow consumer makes the server coalesce Step events instead of growing
 * a queue here. {@code take()} always returns: with the next event, with null after Completed, or
 * by throwing {@link CallFailed} when the call ends otherwise (the server's status;
 * DEADLINE_EXCEEDED; CANCELLED; UNAVAILABLE when the connection is lost, with the reason).
 */
public final class BlockingGeneration implements AutoCloseable {

  private final EventHandoff<GenerationEvent> events =
      new EventHandoff<>(
          new EventHandoff.Flow() {
            @Override
            public void pause() {
              Generation g = generation;
              if (g != null) { // null only before generate() returned: nothing can be queued yet
                g.pause();
              }
            }

            @Override
            public void resume() {
              Generation g = generation;
              if (g != null) {
                g.resume();
              }
            }
          });
  private volatile Generation generation;

  public BlockingGeneration(GeneratorClient client, GenerateRequest request, Duration deadline) {
    generation = client.generate(request, deadline, events::offer);
    generation
        .result()
        .onComplete(ar -> events.end(ar.succeeded() ? null : Failures.of(ar.cause())));
  }

  /**
   * The next event; null once Completed has been returned.
   *
   * @throws CallFailed when the call ends with an error, is cancelled or loses its connection
   */
  public GenerationEvent take() throws InterruptedException {
    return events.take();
  }

  public Generation generation() {
    return generation;
  }

  /** Cancels the call unless it has ended. */
  public void cancel() {
    generation.cancel();
  }

  @Override
  public void close() {
    if (!generation.result().isComplete()) {
      generation.cancel();
    }
  }
}
