package dev.pfgm.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.app.ConfigKey;
import dev.pfgm.server.app.PfgmServer;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Concurrency, cancellation, deadlines, slow readers and admission over a real port. */
class StreamingUnderLoadTest {

  static final String MODEL = "mnist-exact-edm";

  static GenerateRequest.Builder req(long seed) {
    return GenerateRequest.newBuilder().setModel(MODEL).setSeed(seed);
  }

  @Test
  void cancelledStreamFreesItsCapacity() throws Exception {
    try (PfgmServer server = ServerFixture.start();
        GrpcTestClient client = new GrpcTestClient(server.port())) {
      CompletableFuture<Void> cancelled = new CompletableFuture<>();
      client.start(
          req(1).setNumSamples(4).setSteps(1000).setPreviewEvery(1).build(),
          0,
          request -> {},
          (request, response, ev) -> {
            if (ev.hasStep() && !cancelled.isDone()) {
              request.cancel();
              cancelled.complete(null);
            }
          });
      cancelled.get(60, java.util.concurrent.TimeUnit.SECONDS);
      ServerFixture.awaitIdle(server, MODEL);
      // The server still serves.
      assertEquals(GrpcStatus.OK, client.generate(req(2).setSteps(4).build()).status());
    }
  }

  @Test
  void expiredDeadlineEndsTheStreamAndFreesItsCapacity() throws Exception {
    try (PfgmServer server = ServerFixture.start();
        GrpcTestClient client = new GrpcTestClient(server.port())) {
      // The trained network: 2,000 evaluations take seconds, far past the 300 ms deadline.
      String slowModel = "mnist-unet-edm";
      GrpcTestClient.Result r =
          GrpcTestClient.await(
              client.start(
                  req(3)
                      .setModel(slowModel)
                      .setNumSamples(4)
                      .setSteps(1000)
                      .setPreviewEvery(50)
                      .build(),
                  300,
                  x -> {}),
              60);
      assertEquals(GrpcStatus.DEADLINE_EXCEEDED, r.status(), r.message());
      ServerFixture.awaitIdle(server, slowModel);
    }
  }

  @Test
  void aStreamThatStopsReadingDoesNotStopOthersAndItsStepsCoalesce() throws Exception {
    // The slow reader has its own connection, as separate clients do: paused HTTP/2 streams hold
    // their connection's flow-control window.
    try (PfgmServer server = ServerFixture.start();
        GrpcTestClient client = new GrpcTestClient(server.port());
        GrpcTestClient slowClient = new GrpcTestClient(server.port())) {
      int steps = 300;
      CompletableFuture<io.vertx.grpc.client.GrpcClientResponse<GenerateRequest, GenerateResponse>>
          paused = new CompletableFuture<>();
      Future<GrpcTestClient.Result> slow =
          slowClient.start(
              req(4)
                  .setNumSamples(16)
                  .setSteps(steps)
                  .setPreviewEvery(1)
                  .setStepContent(StepContent.newBuilder().setState(true).setDenoised(true))
                  .build(),
              0,
              request -> {},
              (request, response, ev) -> {
                if (ev.hasStarted()) {
                  response.pause();
                  paused.complete(response);
                }
              });
      var resp = paused.get(60, java.util.concurrent.TimeUnit.SECONDS);
      List<Future<GrpcTestClient.Result>> others = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        others.add(client.start(req(50 + i).setSteps(20).setPreviewEvery(1).build(), 0, x -> {}));
      }
      for (Future<GrpcTestClient.Result> o : others) {
        assertEquals(GrpcStatus.OK, GrpcTestClient.await(o, 120).status());
      }
      ServerFixture.awaitIdle(server, MODEL); // the slow stream's generation finished too
      resp.resume();
      GrpcTestClient.Result r = GrpcTestClient.await(slow, 120);
      assertEquals(GrpcStatus.OK, r.status(), r.message());
      assertTrue(r.last().hasCompleted(), "the final result is always delivered");
      long delivered = r.events().stream().filter(GenerateResponse::hasStep).count();
      int skipped =
          r.events().stream()
              .filter(GenerateResponse::hasStep)
              .mapToInt(e -> e.getStep().getSkipped())
              .sum();
      int total = r.last().getCompleted().getSkippedSteps();
      System.out.println(
          "slow reader: "
              + delivered
              + " steps delivered, "
              + skipped
              + " skips reported on steps, "
              + total
              + " in all, of "
              + steps);
      assertTrue(
          delivered < steps / 2, "steps coalesced while the client was not reading: " + delivered);
      assertTrue(total > steps / 2, "Completed reports the dropped steps: " + total);
      assertEquals(
          steps, delivered + total, "every step is either delivered or counted as skipped");
      assertTrue(skipped <= total);
    }
  }

  @Test
  void fullServerAnswersResourceExhaustedAtOnceAndReportsQueuePositions() throws Exception {
    String model = "mnist-unet-edm"; // slow enough that the first job outlives the checks
    try (PfgmServer server =
            PfgmServer.start(
                ServerFixture.builder()
                    .set(ConfigKey.MAX_ACTIVE_ROWS, 4)
                    .set(ConfigKey.MAX_QUEUED_ROWS, 4)
                    .set(ConfigKey.MAX_SAMPLES, 4)
                    .build());
        GrpcTestClient client = new GrpcTestClient(server.port())) {
      var firstRequest =
          new java.util.concurrent.atomic.AtomicReference<
              io.vertx.grpc.client.GrpcClientRequest<GenerateRequest, GenerateResponse>>();
      var firstStarted = new CompletableFuture<Integer>();
      client.start(
          GenerateRequest.newBuilder()
              .setModel(model)
              .setSeed(1)
              .setNumSamples(4)
              .setSteps(1000)
              .setPreviewEvery(100)
              .build(),
          0,
          firstRequest::set,
          (request, response, ev) -> {
            if (ev.hasStarted()) {
              firstStarted.complete(ev.getStarted().getQueuePosition());
            }
          });
      awaitRows(() -> server.activeRows(model), 4);
      Future<GrpcTestClient.Result> queued =
          client.start(
              GenerateRequest.newBuilder()
                  .setModel(model)
                  .setSeed(2)
                  .setNumSamples(4)
                  .setSteps(5)
                  .build(),
              0,
              x -> {});
      awaitRows(() -> server.engines(model).stream().mapToInt(e -> e.queuedRows()).sum(), 4);
      GrpcTestClient.Result refused =
          client.generate(
              GenerateRequest.newBuilder().setModel(model).setSeed(3).setSteps(5).build());
      assertEquals(GrpcStatus.RESOURCE_EXHAUSTED, refused.status(), refused.message());
      assertTrue(refused.message().contains("server is full"), refused.message());
      // Refused at once: the 1000-step job that fills the server is still being stepped (no wall
      // clock).
      assertEquals(4, server.activeRows(model), "refused while the server was still full");
      firstRequest.get().cancel();
      assertEquals(0, firstStarted.get(10, java.util.concurrent.TimeUnit.SECONDS));
      GrpcTestClient.Result q = GrpcTestClient.await(queued, 120);
      assertEquals(GrpcStatus.OK, q.status(), q.message());
      assertEquals(1, q.events().get(0).getStarted().getQueuePosition());
    }
  }

  private static void awaitRows(java.util.function.IntSupplier rows, int expected)
      throws InterruptedException {
    long end = System.nanoTime() + 30_000_000_000L;
    while (rows.getAsInt() != expected) {
      if (System.nanoTime() > end) {
        throw new AssertionError("rows stayed at " + rows.getAsInt() + ", expected " + expected);
      }
      Thread.sleep(5);
    }
  }
}
