package dev.pfgm.server.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A listener that throws ends its own job with ServingFailure; the engine and other jobs go on. */
class ListenerFailureTest {

  private final Engine engine =
      new Engine(
          new FakeNetwork(EngineTest.N), new EngineLimits(64, 256, 256), new AtomicLong()::get);

  /** Throws while building the event named by {@code when} ("step" or "completed"). */
  private static RecordingListener throwingOn(String when) {
    return new RecordingListener() {
      @Override
      public void step(StepView step) {
        if (when.equals("step") && step.index() == 2) {
          throw new IllegalArgumentException("PNG previews need 1 or 3 channels, have 2");
        }
        super.step(step);
      }

      @Override
      public void completed(CompletedView result) {
        if (when.equals("completed")) {
          throw new IllegalStateException("boom");
        }
        super.completed(result);
      }
    };
  }

  @Test
  void aThrowingStepEndsOnlyItsJobWithServingFailure() {
    RecordingListener bad = throwingOn("step");
    RecordingListener good = new RecordingListener();
    engine.submit(EngineTest.job(1, 2, 10, 1, bad));
    engine.submit(EngineTest.job(2, 2, 10, 1, good));
    EngineTest.drain(engine);

    ServingFailure f = assertInstanceOf(ServingFailure.class, bad.error);
    assertTrue(
        f.getMessage().contains("step 2") && f.getMessage().contains("1 or 3 channels"),
        f.getMessage());
    assertEquals("failed ServingFailure", bad.events.get(bad.events.size() - 1));
    assertNotNull(good.finalStates, "the other job completed");
    assertEquals(0, engine.activeRows());
  }

  @Test
  void aThrowingCompletedEndsTheJobWithServingFailure() {
    RecordingListener bad = throwingOn("completed");
    engine.submit(EngineTest.job(1, 1, 5, 0, bad));
    EngineTest.drain(engine);
    assertInstanceOf(ServingFailure.class, bad.error);
    assertEquals(0, engine.activeRows());
  }
}
