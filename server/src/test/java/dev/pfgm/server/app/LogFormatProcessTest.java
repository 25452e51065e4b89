package dev.pfgm.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.server.it.GrpcTestClient;
import dev.pfgm.server.it.ServerFixture;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Main's console log as an operator's collector reads it: one event per line, stack traces for bugs
 * only.
 */
class LogFormatProcessTest {

  @TempDir Path models;

  /**
   * Runs Main on one model until it fails to bind the (busy) metrics port; returns its output
   * lines.
   */
  private List<String> failToStart(String... flags) throws Exception {
    Files.createSymbolicLink(
        models.resolve(GrpcTestClient.MODEL),
        ServerFixture.MODELS.resolve(GrpcTestClient.MODEL).toAbsolutePath());
    try (ServerSocket busy = new ServerSocket(0)) {
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  Main.class.getName(),
                  "--port=0",
                  "--models=" + models,
                  "--metrics-host=127.0.0.1",
                  "--metrics-port=" + busy.getLocalPort()));
      command.addAll(List.of(flags));
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().keySet().removeIf(k -> k.startsWith("PFGM_"));
      Process p = pb.start();
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out); // until the process exits
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, p.exitValue(), text);
        return text.lines().toList();
      } finally {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void aPortInUseIsOneLineWithoutAStackTrace() throws Exception {
    List<String> lines = failToStart();
    String out = String.join("\n", lines);
    assertTrue(
        lines.stream()
            .anyMatch(
                l ->
                    l.matches(
                        "\\S+ \\S+ SEVERE dev\\.pfgm\\.server\\.app\\.Main: pfgm-serve could"
                            + " not start: cannot listen on metrics port 127\\.0\\.0\\.1:\\d+: .*")),
        out);
    assertFalse(out.contains("\tat "), "a stack trace for an operator's error:\n" + out);
  }

  @Test
  void jsonFormatWritesEveryEventAsOneJsonObjectPerLine() throws Exception {
    List<String> lines = failToStart("--log-format=json");
    List<JsonObject> events = new ArrayList<>();
    for (String line : lines) {
      try {
        events.add(new JsonObject(line));
      } catch (DecodeException e) {
        throw new AssertionError(
            "not a JSON object: " + line + "\nin\n" + String.join("\n", lines), e);
      }
    }
    for (JsonObject e : events) {
      for (String key : new String[] {"time", "level", "logger", "message", "thread"}) {
        assertTrue(e.getValue(key) instanceof String, key + " in " + e.encode());
      }
    }
    JsonObject config = events.get(0);
    assertTrue(
        config
            .getString("message")
            .startsWith("configuration (flags > PFGM_* environment > file > defaults):\n"),
        config.encode());
    assertTrue(
        config.getString("message").matches("(?s).*\n  log-format\\s+json\\s+--log-format.*"),
        config.encode());
    JsonObject failed = events.get(events.size() - 1);
    assertEquals("SEVERE", failed.getString("level"));
    assertTrue(
        failed
            .getString("message")
            .startsWith("pfgm-serve could not start: cannot listen on metrics port"),
        failed.encode());
    assertFalse(failed.containsKey("error"), failed.encode());
  }
}
