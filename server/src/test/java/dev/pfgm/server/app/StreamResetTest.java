package dev.pfgm.server.app;

import static dev.pfgm.server.it.GrpcTestClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.server.it.GrpcTestClient;
import dev.pfgm.server.it.ServerFixture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cancelling is ordinary use: the HTTP/2 rapid-reset guard must not close a busy client's
 * connection.
 */
@ExtendWith(VertxExtension.class)
class StreamResetTest {

  private static final int CANCELS = 400;

  /**
   * Below the server's 100 concurrent streams, so every stream shares the client's one connection.
   */
  private static final int AT_ONCE = 40;

  @Test
  void oneConnectionCancelsFourHundredStreamsWhileAnotherStreamOnItCompletes(VertxTestContext ctx)
      throws Exception {
    PfgmServer server =
        PfgmServer.start(
            ServerConfig.builder()
                .set(ConfigKey.MODELS, ServerFixture.MODELS)
                .set(ConfigKey.PORT, 0)
                .set(ConfigKey.METRICS_PORT, 0)
                .build());
    try (GrpcTestClient client = new GrpcTestClient(server.port())) {
      Promise<Void> started = Promise.promise();
      Future<GrpcTestClient.Result> running =
          client.start(GrpcTestClient.request(32, 1000), Map.of(), e -> started.tryComplete());
      await(started.future(), 30);
      Checkpoint cancels = ctx.checkpoint(CANCELS);
      Checkpoint longStreamCompleted = ctx.checkpoint();
      AtomicInteger cancelled = new AtomicInteger();
      running.onComplete(
          ctx.succeeding(
              r ->
                  ctx.verify(
                      () -> {
                        assertEquals(
                            CANCELS,
                            cancelled.get(),
                            "the long stream ended before the cancels did: "
                                + r.status()
                                + " "
                                + r.message());
                        assertEquals(GrpcStatus.OK, r.status(), r.message());
                        assertTrue(r.completed());
                        longStreamCompleted.flag();
                      })));
      long t0 = System.nanoTime();
      for (int sent = 0; sent < CANCELS && !ctx.failed(); sent += AT_ONCE) {
        List<Future<Void>> batch = new ArrayList<>();
        for (int k = 0; k < AT_ONCE; k++) {
          batch.add(
              client
                  .cancelAtFirstEvent(GrpcTestClient.request(1, 1000))
                  .onComplete(
                      ctx.succeeding(
                          v -> {
                            cancelled.incrementAndGet();
                            cancels.flag();
                          })));
        }
        await(Future.join(batch), 60); // at most AT_ONCE streams in flight
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
      assertTrue(
          seconds < ResetGuard.DEFAULT_WINDOW_SECONDS,
          "the cancels took " + seconds + " s, more than one window");
      assertTrue(ctx.awaitCompletion(120, TimeUnit.SECONDS), "the long stream did not complete");
      assertEquals(1, client.connectionsUsed());
    } finally {
      server.close();
    }
  }
}
