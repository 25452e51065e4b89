package dev.pfgm.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.server.it.GrpcTestClient;
import dev.pfgm.server.it.ServerFixture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.grpc.common.GrpcStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a process: Main's exit codes and SIGTERM ({@link ProcessHandle#destroy()} on
 * Linux).
 */
class ProcessTest {

  private static final Pattern LISTENING = Pattern.compile("pfgm-serve listening on [^ ]*:(\\d+) ");

  /**
   * Runs Main on the test classpath, without the machine's PFGM_* variables; stderr and stdout
   * merged.
   */
  private static Process main(String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("PFGM_"));
    return pb.start();
  }

  /**
   * Collects the output lines into lines, completes port once the server listens and eof when the
   * output ends.
   */
  private static CompletableFuture<Integer> watch(
      Process p, List<String> lines, CompletableFuture<Void> eof) {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  lines.add(line);
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                  }
                }
              } catch (IOException e) {
                port.completeExceptionally(e);
              }
              port.completeExceptionally(
                  new IllegalStateException("server exited: " + String.join("\n", lines)));
              eof.complete(null);
            },
            "server-output");
    t.setDaemon(true);
    t.start();
    return port;
  }

  @Test
  void sigtermLetsARunningStreamFinishAndExitsZero() throws Exception {
    Process p =
        main(
            "--port=0",
            "--metrics-port=0",
            "--models=" + ServerFixture.MODELS,
            "--shutdown-grace-seconds=60");
    List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    try {
      CompletableFuture<Void> eof = new CompletableFuture<>();
      int port = watch(p, lines, eof).get(60, TimeUnit.SECONDS);
      try (GrpcTestClient client = new GrpcTestClient(port)) {
        Promise<Void> started = Promise.promise();
        Future<GrpcTestClient.Result> running =
            client.start(GrpcTestClient.request(64, 1000), Map.of(), e -> started.tryComplete());
        GrpcTestClient.await(started.future(), 30);
        // SIGTERM; unlike Process.destroy(), the handle's leaves the pipes open so the log is read
        // on.
        assertTrue(p.toHandle().destroy());
        GrpcTestClient.Result r = GrpcTestClient.await(running, 120);
        assertEquals(GrpcStatus.OK, r.status(), r.message());
        assertTrue(r.completed());
      }
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "server did not exit");
      eof.get(10, TimeUnit.SECONDS);
      assertEquals(0, p.exitValue(), String.join("\n", lines));
      String log = String.join("\n", lines);
      assertTrue(log.contains("shutting down: 1 stream(s) running, grace 60000 ms"), log);
      assertTrue(log.contains("all running streams finished"), log);
    } finally {
      p.destroyForcibly();
    }
  }

  /** Runs Main with a configuration that must be refused; returns its output. */
  private static String refused(String... args) throws Exception {
    Process p = main(args);
    try {
      List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
      CompletableFuture<Void> eof = new CompletableFuture<>();
      watch(p, lines, eof);
      boolean exited = p.waitFor(60, TimeUnit.SECONDS);
      String out = String.join("\n", lines);
      assertTrue(exited, "the server started:\n" + out);
      eof.get(10, TimeUnit.SECONDS);
      out = String.join("\n", lines);
      assertEquals(ConfigException.EXIT_CODE, p.exitValue(), out);
      assertFalse(out.contains("\tat "), "a stack trace:\n" + out);
      return out;
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void aBadValueStopsStartupWithExitCodeTwoAndItsMessage() throws Exception {
    String out = refused("--port=70000");
    assertTrue(
        out.contains(
            "pfgm-serve: configuration error: port must be in 0..65535, was 70000 (from --port)"),
        out);
  }

  @Test
  void anEmptyTokenListStopsStartupInsteadOfTurningAuthenticationOff() throws Exception {
    String out =
        refused(
            "--port=0", "--metrics-port=0", "--models=" + ServerFixture.MODELS, "--auth-tokens=");
    assertTrue(
        out.contains("pfgm-serve: configuration error: auth-tokens must list at least one token"),
        out);
  }

  @Test
  void aKeyFileThatIsNotPemStopsStartupNamingTheOptionAndTheFile(@TempDir Path dir)
      throws Exception {
    SelfSignedCertificate pair = SelfSignedCertificate.create("localhost");
    try {
      Path der =
          Files.write(
              dir.resolve("key.der"), "0\u0082\u0004\u00bd".getBytes(StandardCharsets.ISO_8859_1));
      String out =
          refused(
              "--port=0",
              "--metrics-port=0",
              "--models=" + ServerFixture.MODELS,
              "--tls-cert=" + pair.certificatePath(),
              "--tls-key=" + der);
      assertTrue(
          out.contains("pfgm-serve: configuration error: tls-key must be a PEM private key"), out);
      assertTrue(out.contains("was '" + der + "' (from --tls-key)"), out);
    } finally {
      pair.delete();
    }
  }
}
