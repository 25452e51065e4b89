package dev.pfgm.server.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A paused job's rows leave the batch; other jobs go on; resumed, it ends where it would have. */
class PausedJobTest {

  private final Engine engine =
      new Engine(
          new FakeNetwork(EngineTest.N), new EngineLimits(64, 256, 256), new AtomicLong()::get);

  @Test
  void pausedRowsLeaveTheBatchAndTheJobFinishesUnchangedWhenResumed() {
    RecordingListener pausedListener = new RecordingListener();
    RecordingListener other = new RecordingListener();
    Job paused = EngineTest.job(1, 3, 8, 1, pausedListener);
    AtomicInteger wakes = new AtomicInteger();
    paused.onWake(wakes::incrementAndGet);
    engine.submit(paused);
    engine.submit(EngineTest.job(2, 2, 8, 1, other));
    engine.tick();
    paused.pause();

    assertEquals(2, engine.tick(), "only the other job's rows are evaluated");
    EngineTest.drain(engine);
    assertTrue(other.finished());
    assertFalse(pausedListener.finished());
    assertFalse(engine.hasWork(), "only a paused job: nothing to compute");
    assertTrue(engine.hasWaiting());

    paused.resume();
    assertEquals(1, wakes.get(), "resuming wakes the engine's owner");
    assertTrue(engine.hasWork());
    EngineTest.drain(engine);

    RecordingListener alone = new RecordingListener();
    engine.submit(EngineTest.job(1, 3, 8, 1, alone));
    EngineTest.drain(engine);
    // Exact: a pause changes when rows are evaluated, not the arithmetic on them.
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(alone.finalStates[i], pausedListener.finalStates[i], "sample " + i);
    }
  }

  @Test
  void aQueueBehindPausedJobsIsNotWorkToSpinOn() {
    Engine small =
        new Engine(new FakeNetwork(EngineTest.N), new EngineLimits(8, 4, 8), new AtomicLong()::get);
    Job paused = EngineTest.job(1, 4, 8, 1, new RecordingListener());
    small.submit(paused);
    small.tick();
    paused.pause();
    RecordingListener waiting = new RecordingListener();
    small.submit(EngineTest.job(2, 4, 8, 1, waiting));
    assertEquals(1, waiting.queuePosition);
    assertFalse(small.hasWork(), "the queued job cannot start while the paused one holds the rows");
    assertTrue(small.hasWaiting());
    paused.cancel();
    assertEquals(
        4,
        small.tick(),
        "the tick that reaps the cancelled job promotes the queued one and steps it");
    EngineTest.drain(small);
    assertTrue(waiting.finished());
  }
}
