package dev.pfgm.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.app.PfgmServer;
import dev.pfgm.server.runtime.LogRecorder;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that vanish or stop reading: a closed connection takes its jobs out of the next batch as
 * a cancel does, and a reader that never reads holds a bounded number of response bytes.
 */
class GoneAndSlowClientsTest {

  static final String MODEL = "mnist-exact-d128";
  PfgmServer server;

  @BeforeEach
  void start() throws Exception {
    server = ServerFixture.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private static byte[] request(int samples, int steps, boolean everyTensor) {
    return GenerateRequest.newBuilder()
        .setModel(MODEL)
        .setNumSamples(samples)
        .setSteps(steps)
        .setSeed(5)
        .setPreviewEvery(1)
        .setStepContent(StepContent.newBuilder().setState(everyTensor).setDenoised(everyTensor))
        .build()
        .toByteArray();
  }

  private static void await(LongSupplier value, long expected, String what)
      throws InterruptedException {
    long end = System.nanoTime() + 20_000_000_000L;
    while (value.getAsLong() != expected) {
      if (System.nanoTime() > end) {
        throw new AssertionError(
            what + " stayed at " + value.getAsLong() + ", expected " + expected);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void aClosedConnectionTakesItsJobsOutOfTheBatch() throws Exception {
    RawGrpc raw = new RawGrpc(server.port());
    for (int i = 0; i < 4; i++) {
      HttpClientRequest req = RawGrpc.await(raw.request(RawGrpc.GENERATE, h -> {}));
      req.response().onSuccess(HttpClientResponse::pause);
      req.end(RawGrpc.frame(request(4, 1000, false)));
    }
    await(() -> server.activeRows(MODEL), 16, "active rows");
    raw.close(); // GOAWAY and FIN, no RST_STREAM: not a gRPC cancel
    await(() -> server.activeRows(MODEL), 0, "active rows after the connection closed");
    await(server::openStreams, 0, "open streams");
  }

  @Test
  void readersThatNeverReadHoldABoundedNumberOfBytes() throws Exception {
    List<String> loud;
    try (LogRecorder everything = new LogRecorder("")) {
      stalledReaders();
      loud = everything.atLeast(java.util.logging.Level.WARNING);
    }
    // Was: SEVERE IllegalStateException after each slow reader's Completed (writeQueueFull after
    // end),
    // and Netty's SEVERE "Caught Throwable from listener onStreamClosed" when their connection
    // closed.
    assertEquals(List.of(), loud);
  }

  private void stalledReaders() throws Exception {
    RawGrpc raw = new RawGrpc(server.port());
    List<HttpClientRequest> stalled = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      HttpClientRequest req = RawGrpc.await(raw.request(RawGrpc.GENERATE, h -> {}));
      // Never reads: the window closes. (The client hears of the closed connection at the end.)
      req.response().onSuccess(resp -> resp.exceptionHandler(e -> {}).pause());
      req.end(RawGrpc.frame(request(16, 100, true))); // 100 kB per Step, 100 of them
      stalled.add(req);
    }
    // Only once all eight have started can "no active rows" mean "they finished".
    await(() -> server.startedJobs(MODEL), 8, "jobs started");
    await(
        () -> server.activeRows(MODEL), 0, "active rows (jobs finish, their readers do not read)");
    long held = server.queuedResponseBytes();
    long step = 2L * 16 * 784 * 4;
    // Per stream: 1 MiB of queued bytes plus the message that crossed it, and Completed.
    assertTrue(held <= 8 * ((1 << 20) + 3 * step), held + " bytes held by 8 stalled streams");
    assertEquals(8, server.openStreams(), "their Completed waits for them");

    // A reader that comes back gets everything it is owed, Completed last.
    GrpcTestClient client = new GrpcTestClient(server.port());
    GrpcTestClient.Result other =
        client.generate(GenerateRequest.newBuilder().setModel(MODEL).setSteps(4).build());
    assertEquals(GrpcStatus.OK, other.status(), "other streams go on beside stalled ones");
    client.close();
    raw.close();
    await(server::openStreams, 0, "open streams after the stalled connection closed");
    await(server::queuedResponseBytes, 0, "queued bytes");
  }
}
