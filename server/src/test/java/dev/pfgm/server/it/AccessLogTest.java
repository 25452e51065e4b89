package dev.pfgm.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.server.app.PfgmServer;
import dev.pfgm.server.runtime.LogRecorder;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** One access line per stream, with the client's request id, which the response echoes. */
class AccessLogTest {

  @Test
  void everyStreamEndsWithOneAccessLineCarryingItsRequestId() throws Exception {
    List<String> lines;
    try (LogRecorder access = new LogRecorder("dev.pfgm.server.access");
        PfgmServer server = ServerFixture.start();
        RawGrpc raw = new RawGrpc(server.port())) {
      byte[] ok =
          GenerateRequest.newBuilder()
              .setModel("mnist-exact-d128")
              .setNumSamples(2)
              .setSteps(3)
              .build()
              .toByteArray();
      RawGrpc.Answer a =
          raw.call(RawGrpc.GENERATE, h -> h.set("x-request-id", "job-42.a"), RawGrpc.frame(ok));
      assertEquals("job-42.a", a.requestId());
      byte[] bad = GenerateRequest.newBuilder().setModel("nope").build().toByteArray();
      RawGrpc.Answer b =
          raw.call(RawGrpc.GENERATE, h -> h.set("x-request-id", "has spaces"), RawGrpc.frame(bad));
      assertTrue(
          b.requestId() != null && b.requestId().matches("[0-9a-f]{16}"),
          "a fresh id, not the unusable one");
      lines = awaitLines(access, 2);
    }
    assertEquals(2, lines.size(), lines.toString());
    assertTrue(
        lines
            .get(0)
            .matches(
                "stream id=job-42\\.a model=mnist-exact-d128 samples=2 steps=3 status=OK"
                    + " queue_ms=[0-9.]+ compute_ms=[0-9.]+ total_ms=[0-9.]+ skipped=0 peer=.*:[0-9]+"),
        lines.get(0));
    assertTrue(
        lines
            .get(1)
            .matches(
                "stream id=[0-9a-f]{16} model=- samples=0 steps=0 status=NOT_FOUND"
                    + " queue_ms=- compute_ms=- .*"),
        lines.get(1));
  }

  @Test
  void aClientThatResetsAfterItsDeadlineIsCountedDeadlineExceeded() throws Exception {
    List<String> lines;
    try (LogRecorder access = new LogRecorder("dev.pfgm.server.access");
        PfgmServer server = ServerFixture.start();
        RawGrpc raw = new RawGrpc(server.port())) {
      byte[] slow =
          GenerateRequest.newBuilder()
              .setModel("mnist-exact-d128")
              .setNumSamples(8)
              .setSteps(1000)
              .build()
              .toByteArray();
      for (String id : new String[] {"late", "early"}) {
        // A client's deadline fires on the client: it resets the stream, which the server sees as a
        // cancel.
        // "late": reset 5 ms before the 300 ms deadline, as a client's own timer does; if this
        // machine
        // is slow enough for the server's deadline to fire first, that is DEADLINE_EXCEEDED as
        // well.
        var req =
            RawGrpc.await(
                raw.request(
                    RawGrpc.GENERATE,
                    h ->
                        h.set("x-request-id", id)
                            .set("grpc-timeout", id.equals("late") ? "300m" : "60S")));
        long t0 = System.nanoTime();
        req.end(RawGrpc.frame(slow));
        Thread.sleep(Math.max(0, 295 - (System.nanoTime() - t0) / 1_000_000));
        req.reset(8);
      }
      lines = awaitLines(access, 2);
    }
    assertTrue(
        lines.stream()
            .anyMatch(
                l -> l.startsWith("stream id=late ") && l.contains(" status=DEADLINE_EXCEEDED ")),
        lines.toString());
    assertTrue(
        lines.stream()
            .anyMatch(l -> l.startsWith("stream id=early ") && l.contains(" status=CANCELLED ")),
        lines.toString());
  }

  /**
   * The access lines once there are {@code n} of them (10 s at most: the assertions then say what
   * is missing).
   */
  private static List<String> awaitLines(LogRecorder access, int n) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    while (access.at(Level.INFO).size() < n && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    return access.at(Level.INFO);
  }
}
