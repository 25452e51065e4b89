package dev.pfgm.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.server.engine.Engine;
import dev.pfgm.server.it.GrpcTestClient;
import dev.pfgm.server.it.ServerFixture;
import dev.pfgm.server.runtime.LogRecorder;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.logging.LogRecord;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * How the server is laid out over threads and engines: event loops, engines per model, the default
 * model.
 */
class ServingCoreTest {

  private static ServerConfig.Builder config() {
    return ServerConfig.builder()
        .set(ConfigKey.MODELS, ServerFixture.MODELS)
        .set(ConfigKey.PORT, 0)
        .set(ConfigKey.METRICS_PORT, 0);
  }

  private static void await(IntSupplier value, int expected, String what)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (value.getAsInt() != expected) {
      if (System.nanoTime() > end) {
        throw new AssertionError(
            what + " stayed at " + value.getAsInt() + ", expected " + expected);
      }
      Thread.sleep(5);
    }
  }

  @Test
  void connectionsSpreadOverTheEventLoops() throws Exception {
    Set<Long> threads;
    List<String> names;
    try (LogRecorder access = new LogRecorder("dev.pfgm.server.access");
        PfgmServer server = PfgmServer.start(config().set(ConfigKey.EVENT_LOOPS, 4).build())) {
      List<GrpcTestClient> clients = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        clients.add(new GrpcTestClient(server.port())); // a connection each
      }
      for (GrpcTestClient c : clients) {
        GrpcTestClient.Result r = c.generate(GrpcTestClient.request(1, 3));
        assertEquals(GrpcStatus.OK, r.status(), r.message());
        c.close();
      }
      // The access line is written on the stream's event loop (named while the server still runs).
      threads =
          access.records().stream().map(LogRecord::getLongThreadID).collect(Collectors.toSet());
      names =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> threads.contains(t.getId()))
              .map(Thread::getName)
              .toList();
    }
    // Vert.x hands connections to the port's 4 instances in turn. Which event-loop threads the 4
    // instances got depends on the pool (2 x cores threads, shared with other contexts): at least
    // 2.
    assertTrue(threads.size() >= 2, "event-loop threads that served the 8 connections: " + names);
    assertTrue(
        names.stream().allMatch(n -> n.startsWith("vert.x-eventloop-thread-")), names.toString());
  }

  @Test
  void twoEnginesShareTheModelsLimitsAndOneSetOfGauges() throws Exception {
    ServerConfig twoEngines =
        config()
            .set(ConfigKey.ENGINES_PER_MODEL, 2)
            .set(ConfigKey.MAX_ACTIVE_ROWS, 16)
            .set(ConfigKey.MAX_QUEUED_ROWS, 16)
            .set(ConfigKey.METRICS_PORT, MetricsTest.freePort())
            .set(ConfigKey.MAX_SAMPLES, 8)
            .build();
    try (PfgmServer server = PfgmServer.start(twoEngines);
        GrpcTestClient client = new GrpcTestClient(server.port())) {
      List<Engine> engines = server.engines(GrpcTestClient.MODEL);
      List<io.vertx.core.Future<GrpcTestClient.Result>> running = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        running.add(client.start(GrpcTestClient.request(8, 1000)));
        int started = Math.min(i + 1, 2);
        await(
            () -> engines.stream().mapToInt(Engine::activeRows).sum(), 8 * started, "active rows");
      }
      // 16 active rows per model = 8 per engine: the third request waits in a queue.
      await(() -> engines.stream().mapToInt(Engine::queuedRows).sum(), 8, "queued rows");
      assertEquals(8, engines.get(0).activeRows());
      assertEquals(8, engines.get(1).activeRows());
      assertEquals(16, server.activeRows(GrpcTestClient.MODEL));
      // One set of gauges per model, summing its engines (was: the first engine's alone).
      String m = "{model=\"" + GrpcTestClient.MODEL + "\"}";
      String scraped = scrape(server.metricsPort());
      assertTrue(scraped.contains("pfgm_engine_active_rows" + m + " 16.0"), scraped);
      assertTrue(scraped.contains("pfgm_engine_queued_rows" + m + " 8.0"), scraped);
    }
  }

  private static String scrape(int port) throws Exception {
    java.net.http.HttpClient http =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .build();
    return http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void aConfiguredDefaultModelThatIsNotServedIsAConfigurationError() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> PfgmServer.start(config().set(ConfigKey.DEFAULT_MODEL, "nope").build()));
    assertTrue(
        e.getMessage()
            .startsWith(
                "default-model 'nope' is not served from " + ServerFixture.MODELS + "; served: ["),
        e.getMessage());
  }
}
