package dev.pfgm.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ServingModelTest {

  private static ServingModel model() throws Exception {
    return new ServingModel(RequestValidatorTest.card("u", "[]"), job -> {});
  }

  @Test
  void aRetiredVersionWithNoStreamIsDrainedAtOnce() throws Exception {
    ServingModel m = model();
    assertTrue(m.retire().isDone());
    assertFalse(m.acquire(), "a retired version takes no new stream");
  }

  @Test
  void aRetiredVersionDrainsWhenItsLastStreamEnds() throws Exception {
    ServingModel m = model();
    assertTrue(m.acquire());
    assertTrue(m.acquire());
    CompletableFuture<Void> drained = m.retire();
    assertSame(drained, m.retire(), "retire is idempotent");
    assertFalse(m.acquire());
    assertEquals(2, m.streams());
    m.release();
    assertFalse(drained.isDone(), "one stream still runs");
    m.release();
    assertTrue(drained.isDone());
    assertEquals(0, m.streams());
  }

  @Test
  void aReleaseWithoutAcquireIsABugNotADrain() throws Exception {
    ServingModel m = model();
    assertTrue(m.acquire());
    m.release();
    assertThrows(IllegalStateException.class, m::release);
    CompletableFuture<Void> drained = m.retire();
    assertTrue(drained.isDone());
    assertThrows(
        IllegalStateException.class,
        m::release,
        "a retired, drained version has no stream to release");
  }
}
