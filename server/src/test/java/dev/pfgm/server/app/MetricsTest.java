package dev.pfgm.server.app;

import static dev.pfgm.server.app.Scrape.value;
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
import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MetricsTest {

  private static final String M = "{model=\"" + GrpcTestClient.MODEL + "\"}";

  /** What is logged anywhere while this class's server runs. */
  private static LogRecorder log;

  private static PfgmServer server;
  private static GrpcTestClient client;
  private static String idle;

  @BeforeAll
  static void start() throws Exception {
    log = new LogRecorder("");
    server =
        PfgmServer.start(
            ServerConfig.builder()
                .set(ConfigKey.MODELS, ServerFixture.MODELS)
                .set(ConfigKey.PORT, 0)
                .set(ConfigKey.METRICS_PORT, freePort())
                .build());
    client = new GrpcTestClient(server.port());
    idle = scrape();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
    log.close();
  }

  /** Metrics port 0 means off, so the test asks the OS for a free port first. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String scrape() throws Exception {
    return Scrape.get(server.metricsPort());
  }

  @Test
  void anIdleScrapeIsSmallAndEverySeriesSaysWhatItIs() {
    // With the six shipped models of the time: 915 lines before buckets were chosen per quantity
    // (89 per latency series) and Vert.x's HTTP and pool series were dropped; 323 after. A model's
    // series are 31 lines and the rest 128 (ten models: 438), so both are bounded: a model added to
    // models/ does not fail this test, a series added per model or in all does.
    List<String> perModel = idle.lines().filter(l -> l.contains("model=\"")).toList();
    long models =
        perModel.stream().map(l -> l.replaceAll(".*model=\"([^\"]*)\".*", "$1")).distinct().count();
    int lines = Scrape.lines(idle);
    assertTrue(models >= 6, models + " models in an idle scrape:\n" + idle);
    assertTrue(
        perModel.size() <= 35 * models, perModel.size() + " lines for " + models + " models");
    assertTrue(lines - perModel.size() <= 150, lines + " lines in an idle scrape:\n" + idle);
    Map<String, String> help = Scrape.help(idle);
    for (String family : Scrape.families(idle)) {
      String text = help.get(family);
      assertTrue(
          text != null && text.length() >= 10, "no useful HELP for " + family + ": '" + text + "'");
    }
    Scrape.buckets(idle)
        .forEach((series, n) -> assertTrue(n <= 12, series + " has " + n + " buckets"));
    assertTrue(idle.contains("pfgm_build_info{"), idle);
    assertTrue(
        idle.contains(
            "pfgm_model_info{augment_dim=\"128\",device=\"cpu\",model=\""
                + GrpcTestClient.MODEL
                + "\",shape=\"1x28x28\"} 1\n"),
        idle);
    assertTrue(
        idle.contains(
            "pfgm_model_info{augment_dim=\"inf\",device=\"cpu\",model=\"mnist-exact-edm\""),
        idle);
  }

  @Test
  void everyDurationIsInSecondsAndNoSeriesCountsHttpCodes() throws Exception {
    assertEquals(GrpcStatus.OK, client.generate(GrpcTestClient.request(1, 3)).status());
    String text = scrape();
    for (String name : Scrape.sampleNames(text)) {
      assertFalse(name.matches(".*_(ns|nanoseconds|ms|milliseconds)(_.*)?"), name);
      // Vert.x's HTTP series say 200 for every gRPC call whatever its status: pfgm_streams_total
      // says it.
      assertFalse(name.startsWith("vertx_"), name);
    }
    assertFalse(text.contains("code=\"200\""), text);
    List<String> warnings = log.atLeast(Level.WARNING);
    assertTrue(
        warnings.stream().noneMatch(w -> w.contains("already registered")), warnings.toString());
  }

  @Test
  void streamsAreCountedByFinalStatusWithTheirTimings() throws Exception {
    String before = scrape();
    GenerateRequest previews = GrpcTestClient.request(2, 10).toBuilder().setPreviewEvery(1).build();
    assertEquals(GrpcStatus.OK, client.generate(previews).status());
    GenerateRequest unknown = GrpcTestClient.request(1, 10).toBuilder().setModel("nope").build();
    assertEquals(GrpcStatus.NOT_FOUND, client.generate(unknown).status());
    String after = scrape();

    assertEquals(
        1,
        delta(
            before,
            after,
            "pfgm_streams_total{model=\"" + GrpcTestClient.MODEL + "\",status=\"OK\"}"));
    assertEquals(1, delta(before, after, "pfgm_streams_total{model=\"\",status=\"NOT_FOUND\"}"));
    for (String histogram :
        new String[] {
          "pfgm_stream_duration_seconds",
          "pfgm_stream_time_to_first_step_seconds",
          "pfgm_stream_queue_wait_seconds"
        }) {
      assertEquals(1, delta(before, after, histogram + "_count" + M), histogram);
      // Seconds: a 10-step stream on the exact model takes well under 30 s, and more than nothing.
      double seconds = delta(before, after, histogram + "_sum" + M);
      assertTrue(seconds >= 0 && seconds < 30, histogram + " " + seconds);
      assertTrue(
          after.contains(histogram + "_bucket{model=\"" + GrpcTestClient.MODEL + "\",le=\"+Inf\"}"),
          histogram);
    }
    assertTrue(delta(before, after, "pfgm_stream_duration_seconds_sum" + M) > 0);

    await(client.cancelAtFirstEvent(GrpcTestClient.request(8, 1000)), 60);
    String cancelled =
        "pfgm_streams_total{model=\"" + GrpcTestClient.MODEL + "\",status=\"CANCELLED\"}";
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String now = scrape();
    while (delta(after, now, cancelled) == 0 && System.nanoTime() < until) {
      Thread.sleep(20);
      now = scrape();
    }
    assertEquals(1, delta(after, now, cancelled), now);
  }

  private static double delta(String before, String after, String series) {
    return value(after, series) - value(before, series);
  }

  @Test
  void seriesMoveWhenAGenerationRuns() throws Exception {
    String before = scrape();
    GenerateRequest req =
        GrpcTestClient.request(4, 18).toBuilder()
            .setPreviewEvery(1)
            .setStepContent(StepContent.newBuilder().setState(true))
            .build();
    GrpcTestClient.Result r = client.generate(req);
    assertEquals(GrpcStatus.OK, r.status());
    GrpcTestClient.Result bad = client.generate(GrpcTestClient.request(1, 100_000));
    assertEquals(GrpcStatus.INVALID_ARGUMENT, bad.status());
    String after = scrape();

    // Heun with 18 steps: 17 second-order steps and one Euler step.
    assertEquals(18, delta(before, after, "pfgm_engine_steps_total" + M));
    assertEquals(35, delta(before, after, "pfgm_engine_network_calls_total" + M));
    assertEquals(35 * 4, delta(before, after, "pfgm_engine_batch_rows_sum" + M));
    assertEquals(35, delta(before, after, "pfgm_engine_network_latency_seconds_count" + M));
    assertEquals(1, delta(before, after, "pfgm_stream_duration_seconds_count" + M));
    assertEquals(
        1, delta(before, after, "pfgm_streams_total{model=\"\",status=\"INVALID_ARGUMENT\"}"));
    for (String series :
        new String[] {
          "pfgm_engine_active_rows" + M,
          "pfgm_engine_queued_rows" + M,
          "pfgm_engine_active_streams" + M,
          "pfgm_streams_open",
          "pfgm_stream_skipped_previews_total" + M,
          "pfgm_engine_batch_rows_bucket{model=\"" + GrpcTestClient.MODEL + "\",le=\"4.0\"}",
          "jvm_memory_used_bytes{area=\"heap\",id=",
          "pfgm_connections_open"
        }) {
      assertTrue(after.contains(series), series + " missing from\n" + after);
    }
    assertEquals(0, value(after, "pfgm_engine_active_rows" + M));
    assertEquals(0, value(after, "pfgm_streams_open"));
    assertTrue(value(after, "pfgm_connections_open") >= 1, after);
  }

  @Test
  void gaugesShowAStreamWhileItRuns() throws Exception {
    Promise<Void> started = Promise.promise();
    Future<GrpcTestClient.Result> running =
        client.start(GrpcTestClient.request(8, 1000), Map.of(), e -> started.tryComplete());
    await(started.future(), 30);
    try (EngineHold hold = EngineHold.of(server, GrpcTestClient.MODEL)) {
      String text = scrape();
      assertEquals(8, value(text, "pfgm_engine_active_rows" + M));
      assertEquals(1, value(text, "pfgm_streams_open"));
    }
    assertEquals(GrpcStatus.OK, await(running, 60).status());
  }
}
