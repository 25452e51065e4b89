package dev.pfgm.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.server.app.PfgmServer;
import org.junit.jupiter.api.Test;

/** A short soak: 320 mixed streams leave nothing behind (scripts/soak.sh runs thousands). */
class SoakTest {

  @Test
  void mixedStreamsLeaveNothingBehindAndResultsUnchanged() throws Exception {
    try (PfgmServer server = ServerFixture.start()) {
      Soak.Report r = Soak.run(server, 320);
      assertEquals(0, r.openStreams(), r.toString());
      assertEquals(0, r.activeRows(), r.toString());
      assertEquals(0, r.queuedBytes(), r.toString());
      assertTrue(r.sameResult(), r.toString());
      assertTrue(r.okStreams() > 0, r.toString());
      // Threads come back (Vert.x worker pools may keep a few idle ones).
      assertTrue(r.threadsAfter() <= r.threadsBefore() + 8, r.toString());
      // Heap comes back within 32 MiB (clients' Vert.x instances are gone; GC is not exact).
      assertTrue(r.heapAfter() <= r.heapBefore() + (32L << 20), r.toString());
    }
  }
}
