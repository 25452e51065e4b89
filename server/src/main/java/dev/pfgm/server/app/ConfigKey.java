package dev.pfgm.server.app;

import dev.pfgm.server.engine.EngineLimits;
import dev.pfgm.server.runtime.RuntimeOptions;
import dev.pfgm.server.transport.ServingLimits;
import dev.pfgm.server.transport.WriteBudget;
import java.util.Locale;

/**
 * Every configuration key, with its default. The key is the name in a config file; the flag is
 * {@code --key}; the environment variable is {@code PFGM_KEY} (upper case, '-' becomes '_'). Rules
 * are checked in {@link Settings}; docs/operations.md lists them.
 */
enum ConfigKey {
  HOST(
      "host",
      "ADDR",
      ServerConfig.DEFAULT_HOST,
      "Address the gRPC port binds (and metrics, unless metrics-host)."),
  PORT("port", "N", "" + ServerConfig.DEFAULT_PORT, "gRPC port, 0..65535; 0 picks a free one."),
  MODELS("models", "DIR", "models", "Folder of model folders (<id>/model.onnx + model.json)."),
  DEFAULT_MODEL(
      "default-model",
      "ID",
      "",
      "Model for requests that name none; must be served. Unset: "
          + ServerConfig.DEFAULT_MODEL
          + " if served, else the first served model."),
  DEVICE(
      "device",
      "DEV",
      RuntimeOptions.DEFAULT_DEVICE,
      "cpu, cuda or cuda:N (refused on a build without CUDA), or auto (CUDA when available, else CPU)."),
  INTRA_OP_THREADS(
      "intra-op-threads",
      "N",
      "0",
      "ONNX Runtime intra-op threads per session, 0..256; 0 lets ORT choose."),
  SPIN_WAIT(
      "spin-wait",
      "BOOL",
      "" + RuntimeOptions.DEFAULT_SPIN_WAIT,
      "true: idle ONNX Runtime threads spin (dedicated cores); false: they sleep, leaving cores to the server."),
  ENGINES_PER_MODEL(
      "engines-per-model",
      "N",
      "" + ServerConfig.DEFAULT_ENGINES_PER_MODEL,
      "Engines (worker verticles) per model, 1..64; jobs go to the least loaded."),
  EVENT_LOOPS(
      "event-loops",
      "N",
      "" + ServerConfig.DEFAULT_EVENT_LOOPS,
      "Event loops serving the gRPC port (verticle instances), 1..64; default: one per core."),
  MAX_BATCH_ROWS(
      "max-batch-rows",
      "N",
      "" + EngineLimits.DEFAULT_MAX_BATCH_ROWS,
      "Rows packed into one network call, 1..4096."),
  MAX_ACTIVE_ROWS(
      "max-active-rows",
      "N",
      "" + EngineLimits.DEFAULT_MAX_ACTIVE_ROWS,
      "Rows being stepped per model, 1..1000000."),
  MAX_QUEUED_ROWS(
      "max-queued-rows",
      "N",
      "" + EngineLimits.DEFAULT_MAX_QUEUED_ROWS,
      "Rows waiting per model, 0..10000000; beyond it requests fail fast with RESOURCE_EXHAUSTED."),
  MAX_SAMPLES(
      "max-samples",
      "N",
      "" + ServingLimits.DEFAULT_MAX_SAMPLES,
      "Largest num_samples of one request, 1..4096 and <= max-active-rows."),
  MAX_STEPS(
      "max-steps",
      "N",
      "" + ServingLimits.DEFAULT_MAX_STEPS,
      "Largest steps of one request, 1..100000."),
  MAX_MESSAGE_BYTES(
      "max-message-bytes",
      "BYTES",
      "" + ServingLimits.DEFAULT_MAX_MESSAGE_BYTES,
      "Largest response message the server builds, 65536..1073741824 (clients' receive limit)."),
  STREAM_QUEUE_BYTES(
      "stream-queue-bytes",
      "BYTES",
      "" + WriteBudget.DEFAULT_STREAM_BYTES,
      "Response bytes one slow stream may hold unsent before its Step events coalesce, 65536..1073741824."),
  TOTAL_QUEUE_BYTES(
      "total-queue-bytes",
      "BYTES",
      "" + WriteBudget.DEFAULT_TOTAL_BYTES,
      "The same over all streams, stream-queue-bytes..2147483647."),
  MAX_REQUEST_BYTES(
      "max-request-bytes",
      "BYTES",
      "" + ServerConfig.DEFAULT_MAX_REQUEST_BYTES,
      "Largest request message accepted, 1024..16777216."),
  METRICS_HOST(
      "metrics-host",
      "ADDR",
      "",
      "Address the metrics port binds; unset: the host value. 127.0.0.1 keeps /metrics off the network."),
  METRICS_PORT(
      "metrics-port",
      "N",
      "" + ServerConfig.DEFAULT_METRICS_PORT,
      "Prometheus /metrics port, 0..65535; 0 turns metrics off."),
  HTTP2_MAX_RESETS(
      "http2-max-resets",
      "N",
      "" + ResetGuard.DEFAULT_MAX_RESETS,
      "Stream resets (RST_STREAM, a cancel is one) one connection may send per window before it is closed"
          + " with GOAWAY (HTTP/2 rapid-reset guard), 1..1000000."),
  HTTP2_RESET_WINDOW_SECONDS(
      "http2-reset-window-seconds",
      "S",
      "" + ResetGuard.DEFAULT_WINDOW_SECONDS,
      "The window of http2-max-resets, 1..3600 seconds."),
  TLS_CERT(
      "tls-cert",
      "FILE",
      "",
      "PEM certificate chain; with tls-key, the gRPC port speaks TLS only."),
  TLS_KEY(
      "tls-key",
      "FILE",
      "",
      "Unencrypted PEM private key (PKCS#8, PKCS#1 RSA or SEC 1 EC) of tls-cert."),
  TLS_CLIENT_CA(
      "tls-client-ca",
      "FILE",
      "",
      "PEM CA certificates; when set, clients must present a certificate they signed (mTLS)."),
  AUTH_TOKENS(
      "auth-tokens",
      "T1,T2",
      "",
      "Accepted bearer tokens, comma-separated; an empty list is an error. Secret.",
      true),
  AUTH_TOKENS_FILE(
      "auth-tokens-file",
      "FILE",
      "",
      "File of accepted bearer tokens, one a line ('#' starts a comment); adds to auth-tokens."),
  MODEL_POLL_SECONDS(
      "model-poll-seconds",
      "S",
      "0",
      "Read the models folder again every S seconds (as on SIGHUP), 0..86400; 0: only on SIGHUP."),
  SHUTDOWN_GRACE_SECONDS(
      "shutdown-grace-seconds",
      "S",
      "" + ServerConfig.DEFAULT_SHUTDOWN_GRACE_SECONDS,
      "On SIGTERM, how long running streams may finish before they are cancelled, 0..3600."),
  ROLE(
      "role",
      "ROLE",
      ClusterOptions.Role.ALL.value(),
      "all (one process serves everything), gateway (gRPC endpoint, no models) or worker (engines for"
          + " the models folder); gateway and worker join the cluster of cluster-members."),
  CLUSTER_HOST(
      "cluster-host",
      "ADDR",
      ClusterOptions.DEFAULT_HOST,
      "Address this node binds for the cluster and is reached at by the other nodes."),
  CLUSTER_PORT(
      "cluster-port",
      "N",
      "" + ClusterOptions.DEFAULT_PORT,
      "Hazelcast port of this node, 1..65535; the event bus takes a free port on cluster-host."),
  CLUSTER_MEMBERS(
      "cluster-members",
      "H:P,...",
      "",
      "Hazelcast members to join through (TCP discovery, no multicast), comma-separated host:port."),
  LOG_FORMAT(
      "log-format",
      "FORMAT",
      LogFormat.DEFAULT.value(),
      "Console log: text (a line per event, for people) or json (one JSON object per line, for collectors).");

  private final String key;
  private final String label;
  private final String defaultValue;
  private final String description;
  private final boolean secret;

  ConfigKey(String key, String label, String defaultValue, String description) {
    this(key, label, defaultValue, description, false);
  }

  ConfigKey(String key, String label, String defaultValue, String description, boolean secret) {
    this.key = key;
    this.label = label;
    this.defaultValue = defaultValue;
    this.description = description;
    this.secret = secret;
  }

  String key() {
    return key;
  }

  String flag() {
    return "--" + key;
  }

  String env() {
    return "PFGM_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  String label() {
    return label;
  }

  String defaultValue() {
    return defaultValue;
  }

  String description() {
    return description;
  }

  /** Whether the value is masked when printed. */
  boolean secret() {
    return secret;
  }

  static ConfigKey byKey(String key) {
    for (ConfigKey k : values()) {
      if (k.key.equals(key)) {
        return k;
      }
    }
    return null;
  }
}
