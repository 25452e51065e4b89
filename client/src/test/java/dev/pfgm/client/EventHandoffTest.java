package dev.pfgm.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.grpc.common.GrpcStatus;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hand-off raced as the client races it: a producer on an "event loop" thread that honours
 * pause and resume the way a paused HTTP/2 stream does (nothing arrives while paused, not even the
 * end), a consumer on another thread, and ends and failures at random points.
 */
class EventHandoffTest {

  private static final int RUNS = 3_000;

  private final ExecutorService loop =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "fake-event-loop"));
  private final ExecutorService consumer =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "fake-consumer"));

  @AfterEach
  void stop() {
    loop.shutdownNow();
    consumer.shutdownNow();
  }

  /**
   * A stream of {@code total} items, then an end; pause/resume are tasks on the loop, as
   * runOnContext.
   */
  private final class FakeStream implements EventHandoff.Flow {
    final int total;
    final CallFailed failure;
    EventHandoff<Integer> handoff;
    boolean paused; // loop thread only
    int next; // loop thread only

    FakeStream(int total, CallFailed failure) {
      this.total = total;
      this.failure = failure;
    }

    @Override
    public void pause() {
      loop.execute(() -> paused = true);
    }

    @Override
    public void resume() {
      loop.execute(
          () -> {
            paused = false;
            pump();
          });
    }

    /** Delivers items one task at a time while not paused, so the consumer races every offer. */
    void pump() {
      if (paused || next > total) {
        return;
      }
      if (next == total) {
        next++;
        handoff.end(failure);
        return;
      }
      handoff.offer(next++);
      loop.execute(this::pump);
    }
  }

  @Test
  void everyItemArrivesInOrderAndEveryRunEndsWhateverTheInterleaving() throws Exception {
    SplittableRandom random = new SplittableRandom(20261130);
    for (int run = 0; run < RUNS; run++) {
      int total = random.nextInt(0, 64);
      CallFailed failure =
          random.nextBoolean() ? null : new CallFailed(GrpcStatus.UNAVAILABLE, "run " + run);
      FakeStream stream = new FakeStream(total, failure);
      EventHandoff<Integer> handoff = new EventHandoff<>(stream);
      stream.handoff = handoff;
      boolean slowConsumer = random.nextInt(4) == 0;
      Future<Integer> read =
          consumer.submit(
              () -> {
                int expected = 0;
                try {
                  for (Integer item = handoff.take(); item != null; item = handoff.take()) {
                    assertEquals(expected++, item);
                    if (slowConsumer) {
                      Thread.onSpinWait();
                    }
                  }
                  assertNull(failure, "ended normally though the stream failed");
                } catch (CallFailed f) {
                  assertSame(failure, f);
                }
                assertNull(handoff.take(), "take() after the end returns null");
                return expected;
              });
      loop.execute(stream::pump);
      try {
        assertEquals(total, read.get(10, TimeUnit.SECONDS), "items read in run " + run);
      } catch (TimeoutException e) {
        fail(
            "run "
                + run
                + " ("
                + total
                + " items) never ended: the consumer waits on an empty, paused stream");
      }
    }
  }

  @Test
  void anEndWhilePausedIsStillTaken() throws Exception {
    EventHandoff<Integer> handoff =
        new EventHandoff<>(
            new EventHandoff.Flow() {
              @Override
              public void pause() {}

              @Override
              public void resume() {}
            });
    for (int i = 0; i < EventHandoff.HIGH_WATER; i++) {
      handoff.offer(i);
    }
    handoff.end(new CallFailed(GrpcStatus.UNAVAILABLE, "connection closed"));
    handoff.offer(99); // after the end: dropped
    for (int i = 0; i < EventHandoff.HIGH_WATER; i++) {
      assertEquals(i, handoff.take());
    }
    CallFailed f = assertThrows(CallFailed.class, handoff::take);
    assertEquals(GrpcStatus.UNAVAILABLE, f.status());
    assertNull(handoff.take());
  }
}
