package dev.pfgm.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.StepContent;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class ShutdownTest {

  private static PfgmServer start() throws Exception {
    return PfgmServer.start(ServerConfig.defaults().withModelsDir(TestClient.MODELS).withPort(0).withMetricsPort(0));
  }

  /** Starts a long stream and returns once the server has admitted it. */
  private static CompletableFuture<TestClient.Result> longStream(TestClient client) throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<TestClient.Result> r = client.generate(TestClient.request(64, 1000), Map.of(),
        e -> started.countDown());
    assertTrue(started.await(30, TimeUnit.SECONDS), "no Started event");
    return r;
  }

  @Test
  void drainingTurnsHealthNotServingRefusesNewStreamsAndLetsRunningOnesFinish() throws Exception {
    PfgmServer server = start();
    try (TestClient client = new TestClient(server.port())) {
      assertEquals(ServingStatus.SERVING, client.health("pfgm.v1.Generator"));
      CompletableFuture<TestClient.Result> running = longStream(client);
      CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> {
        try {
          server.shutdown(Duration.ofSeconds(60));
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      ServingStatus health = ServingStatus.SERVING;
      while (health == ServingStatus.SERVING && System.nanoTime() < until && !running.isDone()) {
        health = client.health("pfgm.v1.Generator");
      }
      if (!running.isDone()) {
        assertEquals(ServingStatus.NOT_SERVING, health);
        TestClient.Result refused = client.generate(TestClient.request(1, 4)).get(30, TimeUnit.SECONDS);
        assertEquals(GrpcStatus.UNAVAILABLE, refused.status());
      }
      TestClient.Result r = running.get(120, TimeUnit.SECONDS);
      assertEquals(GrpcStatus.OK, r.status(), r.message());
      assertTrue(r.completed());
      shutdown.get(30, TimeUnit.SECONDS);
    } finally {
      server.close();
    }
  }

  /**
   * Before the fix one shutdown in two left a tick queued on a closed engine context (an uncaught
   * RejectedExecutionException on the engine's thread); six rounds make a pass by luck unlikely.
   */
  @Test
  void aShutdownWithRunningStreamsLogsNoSevereAndNoStackTrace() throws Exception {
    List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
    List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
    Handler recorder = new Handler() {
      @Override
      public void publish(LogRecord r) {
        records.add(r);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger root = Logger.getLogger("");
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    root.addHandler(recorder);
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    try {
      for (int round = 0; round < 6; round++) {
        shutDownWithRunningStreams();
      }
    } finally {
      root.removeHandler(recorder);
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
    assertEquals(List.of(), uncaught);
    List<String> loud = records.stream().filter(r -> r.getLevel() == Level.SEVERE || r.getThrown() != null)
        .map(r -> r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage() + " " + r.getThrown()).toList();
    assertEquals(List.of(), loud);
  }

  private static void shutDownWithRunningStreams() throws Exception {
    Set<Thread> earlier = engineThreads();
    PfgmServer server = start();
    Set<Thread> engines;
    try (server; TestClient client = new TestClient(server.port())) {
      // The U-Net's ticks are long, so one is in progress when the engines are undeployed.
      GenerateRequest heavy = TestClient.request(8, 1000).toBuilder().setModel("mnist-unet-d128").setPreviewEvery(1)
          .setStepContent(StepContent.newBuilder().setState(true)).build();
      CountDownLatch started = new CountDownLatch(8);
      List<CompletableFuture<TestClient.Result>> running = new ArrayList<>();
      for (int k = 0; k < 8; k++) {
        running.add(client.generate(heavy, Map.of(), e -> started.countDown()));
      }
      assertTrue(started.await(60, TimeUnit.SECONDS), "streams did not start");
      engines = engineThreads();
      engines.removeAll(earlier);
      assertFalse(engines.isEmpty());
      server.shutdown(Duration.ZERO);
      for (CompletableFuture<TestClient.Result> r : running) {
        assertEquals(GrpcStatus.UNAVAILABLE, r.get(30, TimeUnit.SECONDS).status());
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

  @Test
  void streamsStillRunningAfterTheGracePeriodEndUnavailable() throws Exception {
    PfgmServer server = start();
    try (TestClient client = new TestClient(server.port())) {
      CompletableFuture<TestClient.Result> running = longStream(client);
      server.shutdown(Duration.ofMillis(50));
      TestClient.Result r = running.get(30, TimeUnit.SECONDS);
      assertEquals(GrpcStatus.UNAVAILABLE, r.status());
      assertEquals(PfgmServer.SHUTTING_DOWN, r.message());
      assertEquals(0, server.openStreams());
    } finally {
      server.close();
    }
  }
}
