package dev.pfgm.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Cancelling is ordinary use: the HTTP/2 rapid-reset guard must not close a busy client's connection. */
class StreamResetTest {

  private static final int CANCELS = 400;
  /** Below the server's 100 concurrent streams, so every stream shares the client's one connection. */
  private static final int AT_ONCE = 40;

  @Test
  void oneConnectionCancelsFourHundredStreamsWhileAnotherStreamOnItCompletes() throws Exception {
    PfgmServer server = PfgmServer.start(ServerConfig.defaults().withModelsDir(TestClient.MODELS).withPort(0)
        .withMetricsPort(0));
    try (TestClient client = new TestClient(server.port())) {
      CountDownLatch started = new CountDownLatch(1);
      CompletableFuture<TestClient.Result> running = client.generate(TestClient.request(32, 1000), Map.of(),
          e -> started.countDown());
      assertTrue(started.await(30, TimeUnit.SECONDS), "no Started event");
      long t0 = System.nanoTime();
      for (int sent = 0; sent < CANCELS; sent += AT_ONCE) {
        List<CompletableFuture<Void>> batch = new ArrayList<>();
        for (int k = 0; k < AT_ONCE; k++) {
          batch.add(client.cancelAtFirstEvent(TestClient.request(1, 1000)));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new));
        CompletableFuture.anyOf(all, running).get(60, TimeUnit.SECONDS);
        int cancelled = sent;
        assertFalse(running.isDone(), () -> "the long stream ended after " + cancelled + " cancels: " + outcome(running));
        all.get(60, TimeUnit.SECONDS);
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
      assertTrue(seconds < ResetGuard.DEFAULT_WINDOW_SECONDS, "the cancels took " + seconds + " s, more than one window");
      TestClient.Result r = running.get(120, TimeUnit.SECONDS);
      assertEquals(GrpcStatus.OK, r.status(), r.message());
      assertTrue(r.completed());
      assertEquals(1, client.connectionsUsed());
    } finally {
      server.close();
    }
  }

  private static String outcome(CompletableFuture<TestClient.Result> stream) {
    return stream.handle((r, e) -> e == null ? r.status() + " " + r.message() : e.toString()).join();
  }
}
