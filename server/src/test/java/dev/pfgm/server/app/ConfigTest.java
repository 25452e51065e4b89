package dev.pfgm.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.server.it.ServerFixture;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

  private static final String MODELS = ServerFixture.MODELS.toString();
  private static final String TOKEN_A = "tok-aaaaaaaaaaaaaaaa";
  private static final String TOKEN_B = "tok-bbbbbbbbbbbbbbbb";

  @TempDir Path dir;

  private static ConfigLoader.Loaded load(Map<String, String> env, String... args)
      throws ConfigException {
    return ConfigLoader.load(CommandLineFlags.parse(args), env);
  }

  private static String error(Map<String, String> env, String... args) {
    return assertThrows(ConfigException.class, () -> load(env, args)).getMessage();
  }

  @Test
  void noArgumentsGiveTheDocumentedDefaults() throws Exception {
    // The defaults name ./models; point only that at the shipped models.
    ServerConfig c = load(Map.of(), "--models=" + MODELS).config();
    assertEquals(ServerConfig.builder().set(ConfigKey.MODELS, MODELS).build(), c);
    assertEquals(50051, c.port());
    assertEquals("cpu", c.runtime().device());
    assertEquals(9090, c.metricsPort());
    assertNull(c.tls());
    assertTrue(c.authTokens().isEmpty());
    assertEquals(Duration.ofSeconds(30), c.shutdownGrace());
  }

  @Test
  void flagsBeatEnvironmentBeatFileBeatDefaults() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("pfgm.json"),
            "{\"port\": 6001, \"max-steps\": 200, \"max-samples\": 8, \"models\": \""
                + MODELS
                + "\"}");
    ConfigLoader.Loaded l =
        load(
            Map.of("PFGM_PORT", "6002", "PFGM_MAX_STEPS", "300"),
            "--config=" + file,
            "--port",
            "6003");
    assertEquals(6003, l.config().port());
    assertEquals(300, l.config().serving().maxSteps());
    assertEquals(8, l.config().serving().maxSamples());
    assertEquals(64, l.config().engine().maxBatchRows());
    String printed = l.describe();
    assertTrue(printed.matches("(?s).*port\\s+6003\\s+--port.*"), printed);
    assertTrue(printed.matches("(?s).*max-steps\\s+300\\s+PFGM_MAX_STEPS.*"), printed);
    assertTrue(printed.matches("(?s).*max-samples\\s+8\\s+file .*pfgm.json.*"), printed);
    assertTrue(printed.matches("(?s).*max-batch-rows\\s+64\\s+default.*"), printed);
  }

  @Test
  void aPortOutOfRangeNamesKeyValueRuleAndSource() {
    assertEquals(
        "port must be in 0..65535, was 70000 (from PFGM_PORT)",
        error(Map.of("PFGM_PORT", "70000", "PFGM_MODELS", MODELS)));
    assertEquals(
        "port must be an integer in 0..65535, was 'http' (from --port)",
        error(Map.of(), "--models=" + MODELS, "--port=http"));
  }

  @Test
  void everyLimitIsCheckedWithItsRule() {
    assertEquals(
        "max-batch-rows must be in 1..4096, was 0 (from --max-batch-rows)",
        error(Map.of(), "--models=" + MODELS, "--max-batch-rows=0"));
    assertEquals(
        "max-samples must be <= max-active-rows / engines-per-model (16 / 1 = 16), or every request"
            + " that large is refused, was 64 (from default)",
        error(Map.of(), "--models=" + MODELS, "--max-active-rows=16"));
    assertEquals(
        "max-samples must be <= max-active-rows / engines-per-model (256 / 8 = 32), or every request"
            + " that large is refused, was 64 (from default)",
        error(Map.of(), "--models=" + MODELS, "--engines-per-model=8"));
    assertEquals(
        "device must be cpu, cuda, cuda:N or auto, was 'tpu' (from PFGM_DEVICE)",
        error(Map.of("PFGM_DEVICE", "tpu"), "--models=" + MODELS));
    // This build has no CUDA execution provider: asking for it is an error, not a quiet CPU
    // fallback.
    assertEquals(
        "device cannot be used: this ONNX Runtime build has no CUDA execution provider (build with"
            + " -Pcuda), or use auto, was 'cuda:1' (from --device)",
        error(Map.of(), "--models=" + MODELS, "--device=cuda:1"));
    assertEquals(
        "default-model must name a model when set (unset it for the built-in choice), was '' (from"
            + " --default-model)",
        error(Map.of(), "--models=" + MODELS, "--default-model="));
    assertEquals(
        "total-queue-bytes must be in 1048576..2147483647, was 1000 (from --total-queue-bytes)",
        error(Map.of(), "--models=" + MODELS, "--total-queue-bytes=1000"));
    assertEquals(
        "event-loops must be in 1..64, was 0 (from --event-loops)",
        error(Map.of(), "--models=" + MODELS, "--event-loops=0"));
    assertEquals(
        "metrics-port must differ from port, was 7000 (from --metrics-port)",
        error(Map.of(), "--models=" + MODELS, "--port=7000", "--metrics-port=7000"));
    assertTrue(
        error(Map.of(), "--models=/no/such/dir")
            .startsWith(
                "models must be an existing directory (absolute: /no/such/dir), was '/no/such/dir' (from --models)"));
  }

  @Test
  void unknownFlagsAndFileKeysAreRefused() throws Exception {
    assertTrue(error(Map.of(), "--prot=1").startsWith("Unknown option: '--prot=1'"));
    Path file = Files.writeString(dir.resolve("pfgm.properties"), "prot=1\n");
    assertTrue(
        error(Map.of(), "--config=" + file)
            .startsWith("unknown key 'prot' in " + file + "; known keys: host, port,"));
  }

  @Test
  void aPropertiesFileNamedByTheEnvironmentIsRead() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("pfgm.properties"),
            "models=" + MODELS + "\nshutdown-grace-seconds=5\nauth-tokens=" + TOKEN_A + "\n");
    ServerConfig c = load(Map.of("PFGM_CONFIG", file.toString())).config();
    assertEquals(Duration.ofSeconds(5), c.shutdownGrace());
    assertEquals(Set.of(TOKEN_A), c.authTokens());
  }

  @Test
  void tokensComeFromListAndFileAndAreNeverPrinted() throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), "# ops\n" + TOKEN_B + "\n\n");
    ConfigLoader.Loaded l =
        load(
            Map.of("PFGM_AUTH_TOKENS", TOKEN_A),
            "--models=" + MODELS,
            "--auth-tokens-file=" + tokens);
    assertEquals(Set.of(TOKEN_A, TOKEN_B), l.config().authTokens());
    String printed = l.describe() + l.config();
    assertFalse(printed.contains(TOKEN_A) || printed.contains(TOKEN_B), printed);
    assertTrue(printed.contains("****** (1 token)"), printed);
  }

  @Test
  void aShortTokenIsRefusedWithoutEchoingIt() {
    String m = error(Map.of("PFGM_AUTH_TOKENS", TOKEN_A + ",short"), "--models=" + MODELS);
    assertTrue(m.startsWith("auth-tokens: token 2 of 2 must be 16..4096 characters"), m);
    assertTrue(m.endsWith("was 5 characters (from PFGM_AUTH_TOKENS)"), m);
    assertFalse(m.contains("short"), m);
  }

  @Test
  void tlsNeedsCertificateAndKeyTogether() throws Exception {
    SelfSignedCertificate pair = SelfSignedCertificate.create("localhost");
    try {
      Path cert = Path.of(pair.certificatePath());
      Path key = Path.of(pair.privateKeyPath());
      assertEquals(
          "tls-key must be set when tls-cert is, was '' (from default)",
          error(Map.of(), "--models=" + MODELS, "--tls-cert=" + cert));
      assertEquals(
          "tls-cert must be set when tls-client-ca is (mTLS needs TLS), was '' (from default)",
          error(Map.of(), "--models=" + MODELS, "--tls-client-ca=" + cert));
      assertEquals(
          "tls-key must be a readable file, was '/no/key.pem' (from PFGM_TLS_KEY)",
          error(Map.of("PFGM_TLS_KEY", "/no/key.pem"), "--models=" + MODELS, "--tls-cert=" + cert));
      TlsFiles tls =
          load(Map.of(), "--models=" + MODELS, "--tls-cert=" + cert, "--tls-key=" + key)
              .config()
              .tls();
      assertEquals(cert, tls.cert());
      assertFalse(tls.mutual());
    } finally {
      pair.delete();
    }
  }

  @Test
  void tlsFilesThatAreNotPemNameTheOptionAndTheFile() throws Exception {
    SelfSignedCertificate pair = SelfSignedCertificate.create("localhost");
    try {
      Path cert = Path.of(pair.certificatePath());
      Path key = Path.of(pair.privateKeyPath());
      Path der = Files.write(dir.resolve("cert.der"), derOf(cert));
      assertEquals(
          "tls-cert must be a PEM certificate chain (-----BEGIN CERTIFICATE-----), was '"
              + der
              + "' (from --tls-cert)",
          error(Map.of(), "--models=" + MODELS, "--tls-cert=" + der, "--tls-key=" + key));
      assertEquals(
          "tls-key must be a PEM private key (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or"
              + " EC PRIVATE KEY; not encrypted), was '"
              + cert
              + "' (from PFGM_TLS_KEY)",
          error(
              Map.of("PFGM_TLS_KEY", cert.toString()), "--models=" + MODELS, "--tls-cert=" + cert));
      Path conf =
          Files.writeString(
              dir.resolve("tls.properties"),
              "models="
                  + MODELS
                  + "\ntls-cert="
                  + cert
                  + "\ntls-key="
                  + key
                  + "\ntls-client-ca="
                  + key
                  + "\n");
      assertEquals(
          "tls-client-ca must be PEM CA certificates (-----BEGIN CERTIFICATE-----), was '"
              + key
              + "' (from file "
              + conf
              + ")",
          error(Map.of(), "--config=" + conf));
    } finally {
      pair.delete();
    }
  }

  private static byte[] derOf(Path pem) throws Exception {
    String body = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "");
    return Base64.getMimeDecoder().decode(body);
  }

  @Test
  void anEmptyTokenListIsRefusedNotReadAsAuthenticationOff() throws Exception {
    String rule =
        "auth-tokens must list at least one token when set (unset it to serve without authentication),"
            + " was 0 tokens (from ";
    assertEquals(rule + "--auth-tokens)", error(Map.of(), "--models=" + MODELS, "--auth-tokens="));
    assertEquals(rule + "--auth-tokens)", error(Map.of(), "--models=" + MODELS, "--auth-tokens=,"));
    assertEquals(
        rule + "PFGM_AUTH_TOKENS)", error(Map.of("PFGM_AUTH_TOKENS", ""), "--models=" + MODELS));
    Path json =
        Files.writeString(
            dir.resolve("pfgm.json"), "{\"auth-tokens\": [], \"models\": \"" + MODELS + "\"}");
    assertEquals(rule + "file " + json + ")", error(Map.of(), "--config=" + json));
    Path props =
        Files.writeString(dir.resolve("pfgm.properties"), "models=" + MODELS + "\nauth-tokens=\n");
    assertEquals(rule + "file " + props + ")", error(Map.of(), "--config=" + props));
    assertEquals(
        "auth-tokens-file must name a file when set (unset it for none), was '' (from PFGM_AUTH_TOKENS_FILE)",
        error(Map.of("PFGM_AUTH_TOKENS_FILE", ""), "--models=" + MODELS));
    Path comments = Files.writeString(dir.resolve("tokens"), "# none yet\n");
    assertTrue(
        error(
                Map.of(),
                "--models=" + MODELS,
                "--auth-tokens=" + TOKEN_A,
                "--auth-tokens-file=" + comments)
            .startsWith("auth-tokens-file must hold at least one token"));
  }

  @Test
  void metricsHostIsTheHostUnlessSet() throws Exception {
    assertEquals(
        "10.1.2.3", load(Map.of(), "--models=" + MODELS, "--host=10.1.2.3").config().metricsHost());
    assertEquals(
        "127.0.0.1",
        load(Map.of("PFGM_METRICS_HOST", "127.0.0.1"), "--models=" + MODELS)
            .config()
            .metricsHost());
    Path file =
        Files.writeString(
            dir.resolve("pfgm.json"),
            "{\"metrics-host\": \"::1\", \"host\": \"0.0.0.0\", \"models\": \"" + MODELS + "\"}");
    ServerConfig c = load(Map.of(), "--config=" + file).config();
    assertEquals("::1", c.metricsHost());
    assertEquals("0.0.0.0", c.host());
    assertEquals(
        "metrics-host must not be empty when set (unset, it is the host value), was '' (from --metrics-host)",
        error(Map.of(), "--models=" + MODELS, "--metrics-host="));
  }

  @Test
  void theRapidResetGuardIsConfiguredWithItsRange() throws Exception {
    assertEquals(
        new ResetGuard(10_000, 30), load(Map.of(), "--models=" + MODELS).config().resetGuard());
    Path file =
        Files.writeString(
            dir.resolve("pfgm.properties"),
            "models=" + MODELS + "\nhttp2-reset-window-seconds=60\n");
    assertEquals(
        new ResetGuard(500, 60),
        load(Map.of("PFGM_HTTP2_MAX_RESETS", "500"), "--config=" + file).config().resetGuard());
    assertEquals(
        "http2-max-resets must be in 1..1000000, was 0 (from --http2-max-resets)",
        error(Map.of(), "--models=" + MODELS, "--http2-max-resets=0"));
    assertEquals(
        "http2-reset-window-seconds must be in 1..3600, was 3601 (from PFGM_HTTP2_RESET_WINDOW_SECONDS)",
        error(Map.of("PFGM_HTTP2_RESET_WINDOW_SECONDS", "3601"), "--models=" + MODELS));
  }

  @Test
  void theLogFormatIsTextOrJson() throws Exception {
    assertEquals(LogFormat.TEXT, load(Map.of(), "--models=" + MODELS).logFormat());
    assertEquals(
        LogFormat.JSON, load(Map.of("PFGM_LOG_FORMAT", "json"), "--models=" + MODELS).logFormat());
    assertEquals(
        LogFormat.JSON, load(Map.of(), "--models=" + MODELS, "--log-format=JSON").logFormat());
    assertEquals(
        "log-format must be text or json, was 'xml' (from PFGM_LOG_FORMAT)",
        error(Map.of("PFGM_LOG_FORMAT", "xml"), "--models=" + MODELS));
  }

  @Test
  void clusterRolesJoinThroughHostPortMembersAndAGatewayNeedsNoModelsFolder() throws Exception {
    ClusterOptions single = load(Map.of(), "--models=" + MODELS).config().cluster();
    assertEquals(ClusterOptions.Role.ALL, single.role());
    assertFalse(single.clustered());
    ClusterOptions worker =
        load(
                Map.of("PFGM_CLUSTER_MEMBERS", "10.0.0.5:5701, gw.internal:5701"),
                "--models=" + MODELS,
                "--role=worker",
                "--cluster-host=10.0.0.6",
                "--cluster-port=5702")
            .config()
            .cluster();
    assertEquals(
        new ClusterOptions(
            ClusterOptions.Role.WORKER,
            "10.0.0.6",
            5702,
            java.util.List.of("10.0.0.5:5701", "gw.internal:5701")),
        worker);
    assertEquals("10.0.0.6:5702", worker.name());
    assertEquals(
        "cluster-members must list host:port items, and 'gw.internal' is not one, was"
            + " '10.0.0.5:5701,gw.internal' (from --cluster-members)",
        error(
            Map.of(),
            "--models=" + MODELS,
            "--role=worker",
            "--cluster-members=10.0.0.5:5701,gw.internal"));
    assertEquals(
        "role must be all, gateway or worker, was 'both' (from PFGM_ROLE)",
        error(Map.of("PFGM_ROLE", "both"), "--models=" + MODELS));
    // The models folder is the workers' business: a gateway starts where none exists.
    assertEquals(
        ClusterOptions.Role.GATEWAY,
        load(Map.of(), "--role=gateway", "--models=/nonexistent").config().cluster().role());
    assertTrue(
        error(Map.of(), "--role=worker", "--models=/nonexistent")
            .startsWith("models must be an existing directory"));
  }

  @Test
  void unknownPfgmVariablesAreNotedNotFatal() throws Exception {
    ConfigLoader.Loaded l = load(Map.of("PFGM_PROT", "1", "PFGM_MODELS", MODELS));
    assertTrue(
        l.describe().contains("note: ignored unknown environment variable PFGM_PROT"),
        l.describe());
  }

  @Test
  void helpListsEveryKeyWithItsEnvironmentVariable() {
    String usage = CommandLineFlags.usage();
    for (ConfigKey k : ConfigKey.values()) {
      assertTrue(usage.contains(k.flag()), k.flag());
      assertTrue(usage.contains(k.env()), k.env());
    }
  }
}
