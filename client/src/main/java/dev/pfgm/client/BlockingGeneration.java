package dev.pfgm.client;

import dev.pfgm.proto.v1.GenerateRequest;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A generation read from one consumer thread, one event at a time. While the consumer lags by
 * {@link #HIGH_WATER} events the stream is paused, so a slow consumer makes the server coalesce
 * Step events instead of growing a queue here.
 */
public final class BlockingGeneration implements AutoCloseable {

  static final int HIGH_WATER = 8;
  static final int LOW_WATER = 2;
  private static final Object END = new Object();

  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Generation generation;
  private volatile boolean paused;
  private boolean ended;

  public BlockingGeneration(GeneratorClient client, GenerateRequest request, Duration deadline) {
    this.generation = client.generate(request, deadline, this::offer);
    generation.result().onComplete(ar -> queue.add(ar.succeeded() ? END : ar.cause()));
  }

  /** Runs on the event loop. */
  private void offer(GenerationEvent event) {
    queue.add(event);
    if (!paused && queue.size() >= HIGH_WATER) {
      paused = true;
      generation.pause();
    }
  }

  /**
   * The next event; null once Completed has been returned.
   *
   * @throws CallFailed when the call ends with an error or is cancelled
   */
  public GenerationEvent take() throws InterruptedException {
    if (ended) {
      return null;
    }
    Object next = queue.take();
    if (paused && queue.size() <= LOW_WATER) {
      paused = false;
      generation.resume();
    }
    if (next == END) {
      ended = true;
      return null;
    }
    if (next instanceof CallFailed f) {
      ended = true;
      throw f;
    }
    return (GenerationEvent) next;
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
