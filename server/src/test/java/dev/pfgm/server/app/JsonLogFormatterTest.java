package dev.pfgm.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.server.it.GrpcTestClient;
import dev.pfgm.server.it.ServerFixture;
import dev.pfgm.server.runtime.LogRecorder;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class JsonLogFormatterTest {

  private static final JsonLogFormatter FORMAT = new JsonLogFormatter();

  /** Formats a record and checks it is one line holding one JSON object. */
  private static JsonObject json(LogRecord r) {
    String line = FORMAT.format(r);
    assertTrue(line.endsWith(System.lineSeparator()), line);
    assertFalse(line.strip().contains("\n"), "more than one line: " + line);
    return new JsonObject(line);
  }

  @Test
  void aRecordIsOneLineWithTimeLevelLoggerMessageAndThread() {
    LogRecord r = new LogRecord(Level.WARNING, "two\nlines and \"quotes\"");
    r.setLoggerName("dev.pfgm.server.app.Main");
    r.setInstant(Instant.parse("2026-11-30T14:17:06.123Z"));
    JsonObject j = json(r);
    assertEquals(
        List.of("time", "level", "logger", "message", "thread"), List.copyOf(j.fieldNames()));
    assertEquals("2026-11-30T14:17:06.123Z", j.getString("time"));
    assertEquals("WARNING", j.getString("level"));
    assertEquals("dev.pfgm.server.app.Main", j.getString("logger"));
    assertEquals("two\nlines and \"quotes\"", j.getString("message"));
    assertEquals(Thread.currentThread().getName(), j.getString("thread"));
  }

  @Test
  void aStackTraceTravelsInOneField() {
    LogRecord r = new LogRecord(Level.SEVERE, "engine tick failed");
    r.setThrown(new IllegalStateException("boom"));
    String error = json(r).getString("error");
    assertTrue(error.startsWith("java.lang.IllegalStateException: boom\n\tat "), error);
  }

  @Test
  void aMapParameterBecomesFieldsWithoutReplacingTheFixedOnes() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("id", "job-1");
    fields.put("samples", 4);
    fields.put("queue_ms", Double.NaN);
    fields.put("total_ms", 12.5);
    fields.put("level", "not this");
    LogRecord r = new LogRecord(Level.INFO, "stream id=job-1");
    r.setParameters(new Object[] {fields});
    JsonObject j = json(r);
    assertEquals("job-1", j.getString("id"));
    assertEquals(4, j.getInteger("samples"));
    assertTrue(j.containsKey("queue_ms"));
    assertNull(j.getValue("queue_ms"), "NaN is no JSON number");
    assertEquals(12.5, j.getDouble("total_ms"));
    assertEquals("INFO", j.getString("level"));
    assertEquals("stream id=job-1", j.getString("message"));
  }

  @Test
  void theAccessLineCarriesItsFieldsInJson() throws Exception {
    List<JsonObject> lines;
    try (LogRecorder access = new LogRecorder("dev.pfgm.server.access");
        PfgmServer server =
            PfgmServer.start(
                ServerConfig.builder()
                    .set(ConfigKey.MODELS, ServerFixture.MODELS)
                    .set(ConfigKey.PORT, 0)
                    .set(ConfigKey.METRICS_PORT, 0)
                    .build());
        GrpcTestClient client = new GrpcTestClient(server.port())) {
      assertEquals(
          GrpcStatus.OK,
          GrpcTestClient.await(
                  client.start(
                      GrpcTestClient.request(2, 3), Map.of("x-request-id", "job-42.a"), e -> {}),
                  60)
              .status());
      GenerateRequest unknown = GrpcTestClient.request(1, 3).toBuilder().setModel("nope").build();
      assertEquals(GrpcStatus.NOT_FOUND, client.generate(unknown).status());
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (access.records().size() < 2 && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      lines = access.records().stream().map(r -> new JsonObject(FORMAT.format(r))).toList();
    }
    assertEquals(2, lines.size(), lines.toString());
    JsonObject ok = lines.get(0);
    assertEquals("dev.pfgm.server.access", ok.getString("logger"));
    assertTrue(
        ok.getString("message").startsWith("stream id=job-42.a model=" + GrpcTestClient.MODEL),
        ok.encode());
    assertEquals("job-42.a", ok.getString("id"));
    assertEquals(GrpcTestClient.MODEL, ok.getString("model"));
    assertEquals(2, ok.getInteger("samples"));
    assertEquals(3, ok.getInteger("steps"));
    assertEquals("OK", ok.getString("status"));
    assertTrue(ok.getDouble("queue_ms") >= 0 && ok.getDouble("compute_ms") > 0, ok.encode());
    assertTrue(ok.getDouble("total_ms") >= ok.getDouble("compute_ms"), ok.encode());
    assertEquals(0, ok.getInteger("skipped"));
    assertTrue(ok.getString("peer").matches(".*:[0-9]+"), ok.encode());
    JsonObject notFound = lines.get(1);
    assertEquals("NOT_FOUND", notFound.getString("status"));
    assertTrue(
        notFound.containsKey("model") && notFound.getValue("model") == null, notFound.encode());
    assertNull(notFound.getValue("queue_ms"), notFound.encode());
  }
}
