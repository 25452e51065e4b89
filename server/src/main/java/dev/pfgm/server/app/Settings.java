package dev.pfgm.server.app;

import static dev.pfgm.server.app.ConfigKey.*;

import dev.pfgm.server.engine.EngineLimits;
import dev.pfgm.server.engine.IntRange;
import dev.pfgm.server.runtime.RuntimeOptions;
import dev.pfgm.server.transport.ServingLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The merged raw values, each with where it came from, and the rules that turn them into a {@link
 * ServerConfig}. A broken rule is a {@link ConfigException} whose message names the key, the value,
 * the rule and the source: "port must be in 0..65535, was 70000 (from PFGM_PORT)".
 */
final class Settings {

  /** A raw value and where it came from: "default", "--port", "PFGM_PORT" or "file conf.json". */
  record Setting(String value, String origin) {

    static final String DEFAULT = "default";

    /** Set by a flag, the environment or a file, even to an empty value. */
    boolean given() {
      return !origin.equals(DEFAULT);
    }
  }

  private final Map<ConfigKey, Setting> values;
  private int tokenCount;

  Settings(Map<ConfigKey, Setting> values) {
    this.values = new EnumMap<>(ConfigKey.class);
    for (ConfigKey k : ConfigKey.values()) {
      this.values.put(k, values.getOrDefault(k, new Setting(k.defaultValue(), Setting.DEFAULT)));
    }
  }

  Setting get(ConfigKey k) {
    return values.get(k);
  }

  /** Checks every rule and builds the configuration. */
  ServerConfig toConfig() throws ConfigException {
    // Each key by its declaration first (kind, range, rule), in declaration order ...
    Map<ConfigKey, Object> typed = new EnumMap<>(ConfigKey.class);
    for (ConfigKey k : ConfigKey.values()) {
      typed.put(k, typed(k, typed));
    }
    ConfigValues v = new ConfigValues(typed);
    // ... then the rules that join keys or need the machine.
    String unavailable = RuntimeOptions.unavailable(string(DEVICE));
    if (unavailable != null) {
      throw fail(DEVICE, "cannot be used: " + unavailable);
    }
    int maxActiveRows = v.integer(MAX_ACTIVE_ROWS);
    int enginesPerModel = v.integer(ENGINES_PER_MODEL);
    int maxSamples = v.integer(MAX_SAMPLES);
    // The model's limits are shared out over its engines: a request must fit one engine's share.
    int perEngine = maxActiveRows / enginesPerModel;
    if (maxSamples > perEngine) {
      throw fail(
          MAX_SAMPLES,
          "must be <= max-active-rows / engines-per-model ("
              + maxActiveRows
              + " / "
              + enginesPerModel
              + " = "
              + perEngine
              + "), or every request that large is refused");
    }
    int port = v.integer(PORT);
    int metricsPort = v.integer(METRICS_PORT);
    if (metricsPort != 0 && metricsPort == port) {
      throw fail(METRICS_PORT, "must differ from port");
    }
    for (String member : v.list(CLUSTER_MEMBERS)) {
      if (!ClusterOptions.MEMBER.matcher(member).matches()) {
        throw fail(CLUSTER_MEMBERS, "must list host:port items, and '" + member + "' is not one");
      }
    }
    Set<String> tokens = BearerTokens.read(this, v);
    tokenCount = tokens.size();
    TlsFiles tls = tls(v);
    String host = v.text(HOST);
    return new ServerConfig(
        host,
        port,
        v.path(MODELS),
        v.text(DEFAULT_MODEL).isEmpty() ? null : v.text(DEFAULT_MODEL),
        new RuntimeOptions(v.text(DEVICE), v.integer(INTRA_OP_THREADS), v.bool(SPIN_WAIT)),
        new EngineLimits(v.integer(MAX_BATCH_ROWS), maxActiveRows, v.integer(MAX_QUEUED_ROWS)),
        enginesPerModel,
        v.integer(EVENT_LOOPS),
        new ServingLimits(
            maxSamples,
            v.integer(MAX_STEPS),
            v.integer(MAX_MESSAGE_BYTES),
            v.integer(STREAM_QUEUE_BYTES),
            v.integer(TOTAL_QUEUE_BYTES)),
        v.integer(MAX_REQUEST_BYTES),
        new ResetGuard(v.integer(HTTP2_MAX_RESETS), v.integer(HTTP2_RESET_WINDOW_SECONDS)),
        get(METRICS_HOST).given() ? v.text(METRICS_HOST) : host,
        metricsPort,
        tls,
        tokens,
        Duration.ofSeconds(v.integer(SHUTDOWN_GRACE_SECONDS)),
        v.integer(MODEL_POLL_SECONDS),
        v);
  }

  /** The console log's format; not part of {@link ServerConfig}: Main applies it to the process. */
  LogFormat logFormat() throws ConfigException {
    return LogFormat.of((String) typed(LOG_FORMAT, Map.of()));
  }

  /** One key's value by its declaration; {@code earlier} holds the keys declared before it. */
  private Object typed(ConfigKey k, Map<ConfigKey, Object> earlier) throws ConfigException {
    return switch (k.spec().kind) {
      case TEXT -> {
        String v = string(k);
        // An empty default is "unset", not an empty value: the rule holds for what is set.
        if ((get(k).given() || !v.isEmpty()) && !k.spec().rule.test(v)) {
          throw fail(k, k.spec().ruleText);
        }
        yield v;
      }
      case INT -> {
        IntRange r = k.range();
        int min =
            k.spec().floor == null ? r.min() : Math.max(r.min(), (int) earlier.get(k.spec().floor));
        yield intIn(k, min, r.max());
      }
      case BOOL -> bool(k);
      // A gateway serves its workers' models: its models folder need not exist.
      case DIR ->
          k == MODELS && ClusterOptions.Role.GATEWAY.value().equals(string(ROLE))
              ? Path.of(string(k))
              : directory(k);
      case FILE -> file(k);
      case LIST -> {
        List<String> items = splitList(get(k).value());
        if (get(k).given() && items.isEmpty()) {
          throw new ConfigException(
              k.key()
                  + " "
                  + k.spec().ruleText
                  + ", was 0 "
                  + k.spec().noun
                  + " (from "
                  + get(k).origin()
                  + ")");
        }
        yield items;
      }
    };
  }

  private boolean bool(ConfigKey k) throws ConfigException {
    String v = string(k).toLowerCase(java.util.Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      throw fail(k, "must be true or false");
    }
    return v.equals("true");
  }

  private TlsFiles tls(ConfigValues v) throws ConfigException {
    Path cert = v.path(TLS_CERT);
    Path key = v.path(TLS_KEY);
    Path ca = v.path(TLS_CLIENT_CA);
    if (cert == null && key != null) {
      throw fail(TLS_CERT, "must be set when tls-key is");
    }
    if (cert != null && key == null) {
      throw fail(TLS_KEY, "must be set when tls-cert is");
    }
    if (ca != null && cert == null) {
      throw fail(TLS_CERT, "must be set when tls-client-ca is (mTLS needs TLS)");
    }
    if (cert == null) {
      return null;
    }
    if (!PemFiles.certificates(cert)) {
      throw fail(TLS_CERT, "must be a PEM certificate chain (-----BEGIN CERTIFICATE-----)");
    }
    if (!PemFiles.privateKey(key)) {
      throw fail(
          TLS_KEY,
          "must be a PEM private key (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or"
              + " EC PRIVATE KEY; not encrypted)");
    }
    if (ca != null && !PemFiles.certificates(ca)) {
      throw fail(TLS_CLIENT_CA, "must be PEM CA certificates (-----BEGIN CERTIFICATE-----)");
    }
    return new TlsFiles(cert, key, ca);
  }

  static List<String> splitList(String value) {
    return value.isBlank()
        ? List.of()
        : java.util.Arrays.stream(value.split(","))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .toList();
  }

  private String string(ConfigKey k) {
    return get(k).value().strip();
  }

  private int intIn(ConfigKey k, int min, int max) throws ConfigException {
    String v = string(k);
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw fail(k, "must be an integer in " + min + ".." + max);
    }
    if (n < min || n > max) {
      throw fail(k, "must be in " + min + ".." + max);
    }
    return (int) n;
  }

  /** An optional readable file: null when unset; an empty value that was set is refused. */
  private Path file(ConfigKey k) throws ConfigException {
    String v = string(k);
    if (v.isEmpty()) {
      if (get(k).given()) {
        throw fail(k, "must name a file when set (unset it for none)");
      }
      return null;
    }
    Path p = Path.of(v);
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw fail(k, "must be a readable file");
    }
    return p;
  }

  private Path directory(ConfigKey k) throws ConfigException {
    Path p = Path.of(string(k));
    if (!Files.isDirectory(p)) {
      throw fail(k, "must be an existing directory (absolute: " + p.toAbsolutePath() + ")");
    }
    return p;
  }

  ConfigException fail(ConfigKey k, String rule) {
    Setting s = get(k);
    String shown =
        k.spec().secret
            ? "(secret)"
            : s.value().matches("-?\\d+") ? s.value() : "'" + s.value() + "'";
    return new ConfigException(
        k.key() + " " + rule + ", was " + shown + " (from " + s.origin() + ")");
  }

  /** One block for the startup log: every key, its value (secrets masked) and its source. */
  String describe() {
    StringBuilder b =
        new StringBuilder("configuration (flags > PFGM_* environment > file > defaults):");
    for (ConfigKey k : ConfigKey.values()) {
      Setting s = get(k);
      String v = s.value();
      if (k.spec().secret) {
        int n = splitList(v).size();
        v = n == 0 ? "" : "****** (" + n + (n == 1 ? " token)" : " tokens)");
      }
      b.append(String.format("%n  %-24s %-28s %s", k.key(), v.isEmpty() ? "-" : v, s.origin()));
    }
    if (tokenCount > 0) {
      b.append(
          String.format(
              "%n  bearer-token auth on: %d token(s); health checks stay open", tokenCount));
    }
    return b.toString();
  }
}
