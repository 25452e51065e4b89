package dev.pfgm.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.Delivery;
import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.app.PfgmServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DELIVERY_ALL: a reader that stops reading for a while still gets every Step event, because its
 * job pauses instead of its frames being coalesced; other streams go on meanwhile.
 */
class LosslessDeliveryTest {

  static final String MODEL = "mnist-exact-d128";
  static final int STEPS = 1000;
  static PfgmServer server;
  static GrpcTestClient client;

  @BeforeAll
  static void start() throws Exception {
    server = ServerFixture.start();
    client = new GrpcTestClient(server.port());
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
  }

  /** 16 samples with both tensors: ~100 kB per Step, so a stopped reader congests within steps. */
  private static GenerateRequest request(Delivery delivery) {
    return GenerateRequest.newBuilder()
        .setModel(MODEL)
        .setNumSamples(16)
        .setSteps(STEPS)
        .setSeed(9)
        .setPreviewEvery(1)
        .setDelivery(delivery)
        .setStepContent(StepContent.newBuilder().setState(true).setDenoised(true))
        .build();
  }

  /**
   * What was seen while the reader had stopped: the model's active rows, and a stream beside it.
   */
  record WhilePaused(int activeRows, GrpcStatus other) {}

  /**
   * Runs a stream whose reader stops for 1.5 s at step 5, and looks at the server at the end of the
   * pause (on a blocking thread; the test thread asserts what it saw).
   */
  private static GrpcTestClient.Result readWithAPause(
      Delivery delivery, AtomicReference<WhilePaused> seen) {
    AtomicBoolean paused = new AtomicBoolean();
    Future<GrpcTestClient.Result> f =
        client.start(
            request(delivery),
            0,
            r -> {},
            (req, resp, ev) -> {
              if (ev.hasStep()
                  && ev.getStep().getIndex() == 5
                  && paused.compareAndSet(false, true)) {
                resp.pause();
                Vertx owner = Vertx.currentContext().owner();
                owner
                    .executeBlocking(
                        () -> {
                          Thread.sleep(1500);
                          // Its own connection: on the paused reader's, HTTP/2's connection window
                          // stalls every stream.
                          try (GrpcTestClient other = new GrpcTestClient(server.port())) {
                            seen.set(
                                new WhilePaused(
                                    server.activeRows(MODEL),
                                    other
                                        .generate(
                                            GenerateRequest.newBuilder()
                                                .setModel(MODEL)
                                                .setSteps(30)
                                                .build())
                                        .status()));
                          }
                          return null;
                        })
                    .onComplete(ar -> resp.resume());
              }
            });
    return GrpcTestClient.await(f, 120);
  }

  @Test
  void aPausedReaderGetsEveryStepWhileOtherStreamsGoOn() {
    AtomicReference<WhilePaused> seen = new AtomicReference<>();
    GrpcTestClient.Result r = readWithAPause(Delivery.DELIVERY_ALL, seen);
    // Congested within a dozen steps of 1000, the job holds its 16 rows and waits.
    assertEquals(16, seen.get().activeRows(), "the job paused with its reader");
    assertEquals(
        GrpcStatus.OK, seen.get().other(), "a stream beside a paused lossless one completes");
    assertEquals(GrpcStatus.OK, r.status(), r.message());
    List<Integer> indices =
        r.events().stream()
            .filter(GenerateResponse::hasStep)
            .map(e -> e.getStep().getIndex())
            .toList();
    assertEquals(IntStream.range(0, STEPS).boxed().toList(), indices, "every step, in order");
    assertTrue(
        r.events().stream()
            .filter(GenerateResponse::hasStep)
            .allMatch(e -> e.getStep().getSkipped() == 0));
    assertEquals(0, r.last().getCompleted().getSkippedSteps());
  }

  @Test
  void latestWinsCoalescesForTheSameReader() {
    AtomicReference<WhilePaused> seen = new AtomicReference<>();
    GrpcTestClient.Result r = readWithAPause(Delivery.DELIVERY_LATEST, seen);
    assertEquals(GrpcStatus.OK, r.status(), r.message());
    assertTrue(
        r.last().getCompleted().getSkippedSteps() > 0,
        "the default drops frames for a stopped reader");
  }

  @Test
  void latestWinsStreamsEveryStepAgainOnceTheReaderCatchesUp() {
    AtomicBoolean paused = new AtomicBoolean();
    Future<GrpcTestClient.Result> f =
        client.start(
            request(Delivery.DELIVERY_LATEST),
            0,
            r -> {},
            (req, resp, ev) -> {
              if (ev.hasStep()
                  && ev.getStep().getIndex() == 5
                  && paused.compareAndSet(false, true)) {
                resp.pause();
                Vertx.currentContext().owner().setTimer(200, id -> resp.resume());
              }
            });
    GrpcTestClient.Result r = GrpcTestClient.await(f, 120);
    assertEquals(GrpcStatus.OK, r.status(), r.message());
    List<Integer> indices =
        r.events().stream()
            .filter(GenerateResponse::hasStep)
            .map(e -> e.getStep().getIndex())
            .toList();
    // Coalesced while the reader stopped, then back to every step: the stream did not stay
    // "congested".
    long late = indices.stream().filter(i -> i >= STEPS / 2).count();
    // (A reader slower than the server still coalesces some; one stuck "congested" got none at
    // all.)
    assertTrue(late >= 10, late + " Step events in the second half of " + STEPS + " steps");
  }
}
