package dev.pfgm.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShutdownTest {

  private static PfgmServer start() throws Exception {
    return PfgmServer.start(ServerConfig.defaults().withModelsDir(TestClient.MODELS).withPort(0).withMetricsPort(0));
  }

  /** Starts a long stream and returns once the server has admitted it. */
  private static CompletableFuture<TestClient.Result> longStream(TestClient client) throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<TestClient.Result> r = client.generate(TestClient.request(64, 1000), java.util.Map.of(),
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
