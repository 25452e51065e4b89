package dev.pfgm.server.app;

import static dev.pfgm.server.it.GrpcTestClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.it.GrpcTestClient;
import dev.pfgm.server.it.ServerFixture;
import dev.pfgm.server.runtime.LogRecorder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class ShutdownTest {

  private static final String GENERATOR = "pfgm.v1.Generator";

  private static PfgmServer start() throws Exception {
    return PfgmServer.start(
        ServerConfig.builder()
            .set(ConfigKey.MODELS, ServerFixture.MODELS)
            .set(ConfigKey.PORT, 0)
            .set(ConfigKey.METRICS_PORT, 0)
            .build());
  }

  /** Starts a long stream and returns once the server has admitted it (its Started event). */
  private static Future<GrpcTestClient.Result> longStream(GrpcTestClient client) {
    Promise<Void> started = Promise.promise();
    Future<GrpcTestClient.Result> r =
        client.start(GrpcTestClient.request(64, 1000), Map.of(), e -> started.tryComplete());
    await(started.future(), 30);
    return r;
  }

  /**
   * The running stream's engine is held while the server drains, so the stream is still running
   * when health and admission are checked, every time.
   */
  @Test
  void drainingTurnsHealthNotServingRefusesNewStreamsAndLetsRunningOnesFinish(
      Vertx vertx, VertxTestContext ctx) throws Exception {
    PfgmServer server = start();
    try (GrpcTestClient client = new GrpcTestClient(server.port())) {
      assertEquals(ServingStatus.SERVING, await(client.health(GENERATOR), 10));
      Future<GrpcTestClient.Result> running = longStream(client);
      Future<Void> shutdown;
      try (EngineHold hold = EngineHold.of(server, GrpcTestClient.MODEL)) {
        // shutdown blocks its thread until the running stream ends: a worker thread of the test's
        // Vert.x.
        shutdown =
            vertx.executeBlocking(
                () -> {
                  server.shutdown(Duration.ofSeconds(60));
                  return null;
                });
        assertEquals(ServingStatus.NOT_SERVING, healthOnceDraining(client));
        GrpcTestClient.Result refused = await(client.start(GrpcTestClient.request(1, 4)), 30);
        assertEquals(GrpcStatus.UNAVAILABLE, refused.status(), refused.message());
        assertFalse(running.isComplete(), "the running stream waits for its engine");
        assertFalse(shutdown.isComplete(), "shutdown waits for the running stream");
      }
      Checkpoint finished = ctx.checkpoint(2);
      running.onComplete(
          ctx.succeeding(
              r ->
                  ctx.verify(
                      () -> {
                        assertEquals(GrpcStatus.OK, r.status(), r.message());
                        assertTrue(r.completed());
                        finished.flag();
                      })));
      shutdown.onComplete(ctx.succeeding(v -> finished.flag()));
      assertTrue(
          ctx.awaitCompletion(120, TimeUnit.SECONDS), "the stream and the shutdown did not finish");
    } finally {
      server.close();
    }
  }

  /** Health once shutdown (on another thread) has begun: SERVING until then, for at most 10 s. */
  private static ServingStatus healthOnceDraining(GrpcTestClient client)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    ServingStatus health = await(client.health(GENERATOR), 10);
    while (health == ServingStatus.SERVING && System.nanoTime() < until) {
      Thread.sleep(5);
      health = await(client.health(GENERATOR), 10);
    }
    return health;
  }

  /**
   * Before the fix one shutdown in two left a tick queued on a closed engine context (an uncaught
   * RejectedExecutionException on the engine's thread); six rounds make a pass by luck unlikely.
   */
  @Test
  void aShutdownWithRunningStreamsLogsNoSevereAndNoStackTrace() throws Exception {
    List<LogRecord> records;
    List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    try (LogRecorder everything = new LogRecorder("")) {
      for (int round = 0; round < 6; round++) {
        shutDownWithRunningStreams();
      }
      records = everything.records();
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
    assertEquals(List.of(), uncaught);
    List<String> loud =
        records.stream()
            .filter(r -> r.getLevel() == Level.SEVERE || r.getThrown() != null)
            .map(
                r ->
                    r.getLevel()
                        + " "
                        + r.getLoggerName()
                        + ": "
                        + r.getMessage()
                        + " "
                        + r.getThrown())
            .toList();
    assertEquals(List.of(), loud);
  }

  private static void shutDownWithRunningStreams() throws Exception {
    Set<Thread> earlier = engineThreads();
    PfgmServer server = start();
    Set<Thread> engines;
    try (server;
        GrpcTestClient client = new GrpcTestClient(server.port())) {
      // The U-Net's ticks are long, so one is in progress when the engines are undeployed.
      GenerateRequest heavy =
          GrpcTestClient.request(8, 1000).toBuilder()
              .setModel("mnist-unet-d128")
              .setPreviewEvery(1)
              .setStepContent(StepContent.newBuilder().setState(true))
              .build();
      List<Future<Void>> started = new ArrayList<>();
      List<Future<GrpcTestClient.Result>> running = new ArrayList<>();
      for (int k = 0; k < 8; k++) {
        Promise<Void> first = Promise.promise();
        started.add(first.future());
        running.add(client.start(heavy, Map.of(), e -> first.tryComplete()));
      }
      await(Future.all(started), 60);
      engines = engineThreads();
      engines.removeAll(earlier);
      assertFalse(engines.isEmpty());
      server.shutdown(Duration.ZERO);
      for (Future<GrpcTestClient.Result> r : running) {
        assertEquals(GrpcStatus.UNAVAILABLE, await(r, 30).status());
      }
    }
    // An exception that kills a worker thread is reported by the time the thread has ended.
    for (Thread t : engines) {
      t.join(10_000);
      assertFalse(t.isAlive(), t.getName() + " still alive 10 s after shutdown");
    }
  }

  private static Set<Thread> engineThreads() {
    Set<Thread> threads = new HashSet<>(Thread.getAllStackTraces().keySet());
    threads.removeIf(t -> !t.getName().startsWith("pfgm-engine-"));
    return threads;
  }

  /** The engine is held past the grace period, so the stream is certainly still running then. */
  @Test
  void streamsStillRunningAfterTheGracePeriodEndUnavailable(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    PfgmServer server = start();
    try (GrpcTestClient client = new GrpcTestClient(server.port())) {
      Future<GrpcTestClient.Result> running = longStream(client);
      Future<Void> shutdown;
      try (EngineHold hold = EngineHold.of(server, GrpcTestClient.MODEL)) {
        shutdown =
            vertx.executeBlocking(
                () -> {
                  server.shutdown(Duration.ofMillis(50));
                  return null;
                });
        GrpcTestClient.Result r = await(running, 30);
        assertEquals(GrpcStatus.UNAVAILABLE, r.status());
        assertEquals(PfgmServer.SHUTTING_DOWN, r.message());
        // The server counts the stream out on its event loop just after writing the status the
        // client has read: wait for that, bounded.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.openStreams() != 0 && System.nanoTime() < end) {
          Thread.sleep(5);
        }
        assertEquals(0, server.openStreams());
      }
      shutdown.onComplete(ctx.succeedingThenComplete());
      assertTrue(ctx.awaitCompletion(60, TimeUnit.SECONDS), "shutdown did not finish");
    } finally {
      server.close();
    }
  }
}
