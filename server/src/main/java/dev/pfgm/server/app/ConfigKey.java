package dev.pfgm.server.app;

import static dev.pfgm.server.app.KeySpec.bool;
import static dev.pfgm.server.app.KeySpec.dir;
import static dev.pfgm.server.app.KeySpec.file;
import static dev.pfgm.server.app.KeySpec.integer;
import static dev.pfgm.server.app.KeySpec.list;
import static dev.pfgm.server.app.KeySpec.text;

import dev.pfgm.server.engine.EngineLimits;
import dev.pfgm.server.engine.IntRange;
import dev.pfgm.server.runtime.RuntimeOptions;
import dev.pfgm.server.transport.ServingLimits;
import dev.pfgm.server.transport.WriteBudget;
import java.util.Locale;

/**
 * Every configuration key, declared once: kind, range or rule, default, help and an example. The
 * declaration drives the flag ({@code --key}), the environment variable ({@code PFGM_KEY}), the
 * config-file key, the check ({@link Settings}), {@code --help}, the startup table, and the test
 * that docs/operations.md lists exactly these keys. A new key is one constant here plus its docs
 * row; code reads its value from {@link ServerConfig#values}. The key's name is the constant's, in
 * lower case with '-' for '_'.
 */
public enum ConfigKey {
  HOST(
      text("ADDR", "0.0.0.0")
          .rule(v -> !v.isEmpty(), "must not be empty")
          .help("Address the gRPC port binds (and metrics, unless metrics-host).")
          .example("127.0.0.1")),
  PORT(integer("N", new IntRange(0, 65535), 50051).help("gRPC port; 0 picks a free one.")),
  MODELS(
      dir("models")
          .help("Folder of model folders (<id>/model.onnx + model.json).")
          .example("/srv/pfgm/models")),
  DEFAULT_MODEL(
      text("ID", "")
          .rule(v -> !v.isEmpty(), "must name a model when set (unset it for the built-in choice)")
          .help(
              "Model for requests that name none; must be served. Unset: "
                  + ServerConfig.DEFAULT_MODEL
                  + " if served, else the first served model.")
          .example("cifar10-unet-d128")),
  DEVICE(
      text("DEV", RuntimeOptions.DEFAULT_DEVICE)
          .rule(RuntimeOptions::isDevice, RuntimeOptions.DEVICE_RULE)
          .help(
              "cpu, cuda or cuda:N (refused on a build without CUDA), or auto (CUDA when"
                  + " available, else CPU).")
          .example("auto")),
  INTRA_OP_THREADS(
      integer("N", RuntimeOptions.INTRA_OP_THREADS, 0)
          .help("ONNX Runtime intra-op threads per session; 0 lets ORT choose.")),
  SPIN_WAIT(
      bool(RuntimeOptions.DEFAULT_SPIN_WAIT)
          .help(
              "true: idle ONNX Runtime threads spin (dedicated cores); false: they sleep,"
                  + " leaving cores to the server.")),
  ENGINES_PER_MODEL(
      integer("N", new IntRange(1, 64), 1)
          .help("Engines (worker verticles) per model; jobs go to the least loaded.")),
  EVENT_LOOPS(
      integer("N", new IntRange(1, 64), Math.min(64, Runtime.getRuntime().availableProcessors()))
          .help("Event loops serving the gRPC port (verticle instances).")
          .shown("one per core")),
  MAX_BATCH_ROWS(
      integer("N", EngineLimits.BATCH_ROWS, EngineLimits.DEFAULT_MAX_BATCH_ROWS)
          .help("Rows packed into one network call.")),
  MAX_ACTIVE_ROWS(
      integer("N", EngineLimits.ACTIVE_ROWS, EngineLimits.DEFAULT_MAX_ACTIVE_ROWS)
          .help("Rows being stepped per model.")),
  MAX_QUEUED_ROWS(
      integer("N", EngineLimits.QUEUED_ROWS, EngineLimits.DEFAULT_MAX_QUEUED_ROWS)
          .help("Rows waiting per model; beyond it requests fail fast with RESOURCE_EXHAUSTED.")),
  MAX_SAMPLES(
      integer("N", ServingLimits.SAMPLES, ServingLimits.DEFAULT_MAX_SAMPLES)
          .help("Largest num_samples of one request; at most max-active-rows / engines-per-model.")
          .example("32")),
  MAX_STEPS(
      integer("N", ServingLimits.STEPS, ServingLimits.DEFAULT_MAX_STEPS)
          .help("Largest steps of one request.")),
  MAX_MESSAGE_BYTES(
      integer("BYTES", ServingLimits.MESSAGE_BYTES, ServingLimits.DEFAULT_MAX_MESSAGE_BYTES)
          .help("Largest response message the server builds (clients' receive limit).")),
  STREAM_QUEUE_BYTES(
      integer("BYTES", ServingLimits.STREAM_QUEUE_BYTES, WriteBudget.DEFAULT_STREAM_BYTES)
          .help("Response bytes one slow stream may hold unsent before its Step events coalesce.")),
  TOTAL_QUEUE_BYTES(
      integer("BYTES", ServingLimits.TOTAL_QUEUE_BYTES, WriteBudget.DEFAULT_TOTAL_BYTES)
          .atLeast(STREAM_QUEUE_BYTES)
          .help("The same over all streams.")),
  MAX_REQUEST_BYTES(
      integer("BYTES", new IntRange(1024, 16 << 20), 64 * 1024)
          .help(
              "Largest request message accepted (requests are small: a cap well above any valid"
                  + " GenerateRequest).")),
  METRICS_HOST(
      text("ADDR", "")
          .rule(v -> !v.isEmpty(), "must not be empty when set (unset, it is the host value)")
          .help("Address the metrics port binds; 127.0.0.1 keeps /metrics off the network.")
          .shown("the host value")
          .example("127.0.0.1")),
  METRICS_PORT(
      integer("N", PORT.range(), 9090)
          .help("Prometheus /metrics port, not the gRPC port; 0 turns metrics off.")
          .example("9100")),
  HTTP2_MAX_RESETS(
      integer("N", ResetGuard.MAX_RESETS, ResetGuard.DEFAULT_MAX_RESETS)
          .help(
              "Stream resets (RST_STREAM, a cancel is one) one connection may send per window"
                  + " before it is closed with GOAWAY (HTTP/2 rapid-reset guard).")),
  HTTP2_RESET_WINDOW_SECONDS(
      integer("S", ResetGuard.WINDOW_SECONDS, ResetGuard.DEFAULT_WINDOW_SECONDS)
          .help("The window of http2-max-resets, in seconds.")),
  HANDSHAKE_TIMEOUT_SECONDS(
      integer("S", new IntRange(1, 3600), 20)
          .help(
              "A new connection to the gRPC port must finish opening within S seconds (TLS,"
                  + " HTTP/2 preface and SETTINGS, or an HTTP/1.1 request head), else it is"
                  + " closed; an opened connection may stay quiet.")),
  TLS_CERT(
      file()
          .help("PEM certificate chain; with tls-key, the gRPC port speaks TLS only.")
          .example("/etc/pfgm/tls.crt")),
  TLS_KEY(
      file()
          .help("Unencrypted PEM private key (PKCS#8, PKCS#1 RSA or SEC 1 EC) of tls-cert.")
          .example("/etc/pfgm/tls.key")),
  TLS_CLIENT_CA(
      file()
          .help("PEM CA certificates; when set, clients must present a certificate they signed.")
          .example("/etc/pfgm/clients-ca.crt")),
  AUTH_TOKENS(
      list(
              "T1,T2",
              "tokens",
              "must list at least one token when set (unset it to serve without authentication)")
          .help("Accepted bearer tokens, comma-separated; an empty list is an error. Secret.")
          .secret()
          .example("change-me-0123456789abcdef")),
  AUTH_TOKENS_FILE(
      file()
          .help(
              "File of accepted bearer tokens, one a line ('#' starts a comment); adds to"
                  + " auth-tokens.")
          .example("/etc/pfgm/tokens")),
  MODEL_POLL_SECONDS(
      integer("S", new IntRange(0, 86_400), 0)
          .help("Read the models folder again every S seconds (as on SIGHUP); 0: only on SIGHUP.")),
  SHUTDOWN_GRACE_SECONDS(
      integer("S", new IntRange(0, 3600), 30)
          .help("On SIGTERM, how long running streams may finish before they are cancelled.")),
  LOG_FORMAT(
      text("FORMAT", LogFormat.DEFAULT.value())
          .rule(v -> LogFormat.of(v) != null, "must be text or json")
          .help(
              "Console log: text (a line per event, for people) or json (one JSON object per"
                  + " line, for collectors).")
          .example("json")),
  ROLE(
      text("ROLE", ClusterOptions.Role.ALL.value())
          .rule(v -> ClusterOptions.Role.of(v) != null, "must be all, gateway or worker")
          .help(
              "all (one process serves everything), gateway (gRPC endpoint, no models) or worker"
                  + " (engines for the models folder); gateway and worker join the cluster of"
                  + " cluster-members.")
          .example("worker")),
  CLUSTER_HOST(
      text("ADDR", ClusterOptions.DEFAULT_HOST)
          .rule(v -> !v.isEmpty(), "must not be empty")
          .help("Address this node binds for the cluster and is reached at by the other nodes.")
          .example("10.0.0.5")),
  CLUSTER_PORT(
      integer("N", ClusterOptions.PORT, ClusterOptions.DEFAULT_PORT)
          .help("Hazelcast port of this node; the event bus takes a free port on cluster-host.")),
  CLUSTER_MEMBERS(
      list(
              "H:P,...",
              "members",
              "must list at least one host:port when set (unset it to start a cluster alone)")
          .help(
              "Hazelcast members to join through (TCP discovery, no multicast), comma-separated"
                  + " host:port.")
          .example("10.0.0.5:5701"));

  private final KeySpec spec;

  ConfigKey(KeySpec spec) {
    this.spec = spec;
  }

  public String key() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public String flag() {
    return "--" + key();
  }

  public String env() {
    return "PFGM_" + name();
  }

  /** The range of an INT key (its lower end raised by {@code spec().floor} if set), else null. */
  public IntRange range() {
    return spec.range;
  }

  /** The value when no source sets the key; "" is unset. */
  public String defaultValue() {
    return spec.defaultValue;
  }

  /** The default as --help and the docs show it: the value, "unset", or how it is computed. */
  public String shownDefault() {
    return spec.shownDefault != null
        ? spec.shownDefault
        : spec.defaultValue.isEmpty() ? "unset" : spec.defaultValue;
  }

  /**
   * A valid value that is not the default, for --help and the test that every source reads every
   * key alike: the declared one, or for an INT key without one the range's other end.
   */
  public String example() {
    if (spec.example != null) {
      return spec.example;
    }
    IntRange r = spec.range;
    return Integer.toString(
        Integer.toString(r.max()).equals(spec.defaultValue) ? r.min() : r.max());
  }

  KeySpec spec() {
    return spec;
  }

  static ConfigKey byKey(String key) {
    for (ConfigKey k : values()) {
      if (k.key().equals(key)) {
        return k;
      }
    }
    return null;
  }
}
