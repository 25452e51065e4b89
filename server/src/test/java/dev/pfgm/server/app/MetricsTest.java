package dev.pfgm.server.app;

import static dev.pfgm.server.it.GrpcTestClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.it.GrpcTestClient;
import dev.pfgm.server.it.ServerFixture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MetricsTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private static PfgmServer server;
  private static GrpcTestClient client;

  @BeforeAll
  static void start() throws Exception {
    server = PfgmServer.start(ServerConfig.defaults().withModelsDir(ServerFixture.MODELS).withPort(0)
        .withMetricsPort(freePort()));
    client = new GrpcTestClient(server.port());
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
  }

  /** Metrics port 0 means off, so the test asks the OS for a free port first. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String scrape() throws Exception {
    // HTTP/1.1 as Prometheus scrapes (the JDK client would otherwise try an h2c upgrade).
    HttpResponse<String> r = HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics"))
            .timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  /** The value of one series; 0 when absent. */
  private static double value(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void seriesMoveWhenAGenerationRuns() throws Exception {
    String m = "{model=\"" + GrpcTestClient.MODEL + "\"}";
    String before = scrape();
    GenerateRequest req = GrpcTestClient.request(4, 18).toBuilder().setPreviewEvery(1)
        .setStepContent(StepContent.newBuilder().setState(true)).build();
    GrpcTestClient.Result r = client.generate(req);
    assertEquals(GrpcStatus.OK, r.status());
    GrpcTestClient.Result bad = client.generate(GrpcTestClient.request(1, 100_000));
    assertEquals(GrpcStatus.INVALID_ARGUMENT, bad.status());
    String after = scrape();

    // Heun with 18 steps: 17 second-order steps and one Euler step.
    assertEquals(18, value(after, "pfgm_engine_steps_total" + m) - value(before, "pfgm_engine_steps_total" + m));
    assertEquals(35, value(after, "pfgm_engine_network_calls_total" + m)
        - value(before, "pfgm_engine_network_calls_total" + m));
    assertEquals(35 * 4, value(after, "pfgm_engine_batch_rows_sum" + m) - value(before, "pfgm_engine_batch_rows_sum" + m));
    assertEquals(35, value(after, "pfgm_engine_network_latency_seconds_count" + m)
        - value(before, "pfgm_engine_network_latency_seconds_count" + m));
    assertEquals(1, value(after, "pfgm_stream_duration_seconds_count" + m)
        - value(before, "pfgm_stream_duration_seconds_count" + m));
    assertEquals(1, value(after, "pfgm_stream_errors_total{model=\"\",status=\"INVALID_ARGUMENT\"}")
        - value(before, "pfgm_stream_errors_total{model=\"\",status=\"INVALID_ARGUMENT\"}"));
    for (String series : new String[] {"pfgm_engine_active_rows" + m, "pfgm_engine_queued_rows" + m,
        "pfgm_engine_active_streams" + m, "pfgm_streams_open", "pfgm_stream_skipped_previews_total" + m,
        "pfgm_engine_batch_rows_bucket{model=\"" + GrpcTestClient.MODEL + "\",le=\"4.0\"}",
        "jvm_memory_used_bytes{area=\"heap\",id=", "vertx_http_server_active_connections"}) {
      assertTrue(after.contains(series), series + " missing from\n" + after);
    }
    assertEquals(0, value(after, "pfgm_engine_active_rows" + m));
    assertEquals(0, value(after, "pfgm_streams_open"));
  }

  /** The stream's engine is held while the gauges are read, so the stream is surely mid-flight. */
  @Test
  void gaugesShowAStreamWhileItRuns() throws Exception {
    String m = "{model=\"" + GrpcTestClient.MODEL + "\"}";
    Promise<Void> started = Promise.promise();
    Future<GrpcTestClient.Result> running = client.start(GrpcTestClient.request(8, 1000), Map.of(),
        e -> started.tryComplete());
    await(started.future(), 30);
    try (EngineHold hold = EngineHold.of(server, GrpcTestClient.MODEL)) {
      String text = scrape();
      assertEquals(8, value(text, "pfgm_engine_active_rows" + m));
      assertEquals(1, value(text, "pfgm_streams_open"));
    }
    assertEquals(GrpcStatus.OK, await(running, 60).status());
  }
}
