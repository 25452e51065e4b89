package dev.pfgm.server.app;

import dev.pfgm.server.engine.EngineLimits;
import dev.pfgm.server.runtime.RuntimeOptions;
import dev.pfgm.server.transport.ServingLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Everything the server is started with. Built and checked by {@link Settings} from flags,
 * environment, file and defaults; the constructor keeps only the invariants code relies on.
 *
 * @param host address the gRPC port binds
 * @param port gRPC port (0 picks a free one)
 * @param modelsDir folder of model folders
 * @param defaultModel model for requests that name none, or null when not configured: then {@link
 *     #DEFAULT_MODEL} if served, else the first served model. A configured default model that is
 *     not served is a configuration error
 * @param enginesPerModel engines (worker verticles) per model; jobs go to the least loaded
 * @param eventLoops instances of the gRPC port's verticle, each on its own event loop
 * @param maxRequestBytes largest request message accepted
 * @param resetGuard HTTP/2 rapid-reset guard of the gRPC port
 * @param metricsHost address the metrics port binds
 * @param metricsPort Prometheus /metrics port; 0 turns metrics off
 * @param tls TLS on the gRPC port, or null for plaintext (h2c)
 * @param authTokens accepted bearer tokens; empty turns authentication off
 * @param shutdownGrace how long running streams may finish after SIGTERM
 * @param modelPollSeconds how often the models folder is read again (as on SIGHUP); 0 = never
 * @param cluster the process's role and how it joins a cluster
 */
public record ServerConfig(
    String host,
    int port,
    Path modelsDir,
    String defaultModel,
    RuntimeOptions runtime,
    EngineLimits engine,
    int enginesPerModel,
    int eventLoops,
    ServingLimits serving,
    int maxRequestBytes,
    ResetGuard resetGuard,
    String metricsHost,
    int metricsPort,
    TlsFiles tls,
    Set<String> authTokens,
    Duration shutdownGrace,
    int modelPollSeconds,
    ClusterOptions cluster) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 50051;
  public static final Path DEFAULT_MODELS_DIR = Path.of("models");
  public static final String DEFAULT_MODEL = "mnist-unet-d128";
  public static final int DEFAULT_ENGINES_PER_MODEL = 1;

  /** One gRPC event loop per core: streams and their frame encoding spread over the cores. */
  public static final int DEFAULT_EVENT_LOOPS =
      Math.min(64, Runtime.getRuntime().availableProcessors());

  /** Requests are small; a deliberate cap well above any valid GenerateRequest. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;

  public static final int DEFAULT_METRICS_PORT = 9090;
  public static final int DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;

  public static ServerConfig defaults() {
    return new ServerConfig(
        DEFAULT_HOST,
        DEFAULT_PORT,
        DEFAULT_MODELS_DIR,
        null,
        RuntimeOptions.DEFAULTS,
        EngineLimits.DEFAULTS,
        DEFAULT_ENGINES_PER_MODEL,
        DEFAULT_EVENT_LOOPS,
        ServingLimits.DEFAULTS,
        DEFAULT_MAX_REQUEST_BYTES,
        ResetGuard.DEFAULTS,
        DEFAULT_HOST,
        DEFAULT_METRICS_PORT,
        null,
        Set.of(),
        Duration.ofSeconds(DEFAULT_SHUTDOWN_GRACE_SECONDS),
        0,
        ClusterOptions.SINGLE);
  }

  public ServerConfig {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, was " + port);
    }
    if (enginesPerModel < 1 || enginesPerModel > 64) {
      throw new IllegalArgumentException(
          "enginesPerModel must be in 1..64, was " + enginesPerModel);
    }
    if (eventLoops < 1 || eventLoops > 64) {
      throw new IllegalArgumentException("eventLoops must be in 1..64, was " + eventLoops);
    }
    if (metricsPort < 0 || metricsPort > 65535) {
      throw new IllegalArgumentException("metricsPort must be in 0..65535, was " + metricsPort);
    }
    if (maxRequestBytes < 1) {
      throw new IllegalArgumentException("maxRequestBytes must be >= 1, was " + maxRequestBytes);
    }
    if (modelPollSeconds < 0 || modelPollSeconds > 86_400) {
      throw new IllegalArgumentException(
          "modelPollSeconds must be in 0..86400, was " + modelPollSeconds);
    }
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdownGrace must be >= 0, was " + shutdownGrace);
    }
    Objects.requireNonNull(resetGuard, "resetGuard");
    Objects.requireNonNull(metricsHost, "metricsHost");
    Objects.requireNonNull(cluster, "cluster");
    authTokens = Set.copyOf(authTokens);
  }

  public ServerConfig withPort(int p) {
    return edit(b -> b.port = p);
  }

  public ServerConfig withModelsDir(Path dir) {
    return edit(b -> b.modelsDir = dir);
  }

  public ServerConfig withDefaultModel(String id) {
    return edit(b -> b.defaultModel = id);
  }

  /** The gRPC address only; metrics keep {@link #metricsHost()}. */
  public ServerConfig withHost(String h) {
    return edit(b -> b.host = h);
  }

  public ServerConfig withEnginesPerModel(int k) {
    return edit(b -> b.enginesPerModel = k);
  }

  public ServerConfig withEventLoops(int n) {
    return edit(b -> b.eventLoops = n);
  }

  public ServerConfig withRuntime(RuntimeOptions options) {
    return edit(b -> b.runtime = options);
  }

  public ServerConfig withEngine(EngineLimits limits) {
    return edit(b -> b.engine = limits);
  }

  public ServerConfig withServing(ServingLimits limits) {
    return edit(b -> b.serving = limits);
  }

  public ServerConfig withMetricsPort(int p) {
    return edit(b -> b.metricsPort = p);
  }

  public ServerConfig withMetricsHost(String h) {
    return edit(b -> b.metricsHost = h);
  }

  public ServerConfig withResetGuard(ResetGuard guard) {
    return edit(b -> b.resetGuard = guard);
  }

  public ServerConfig withTls(TlsFiles t) {
    return edit(b -> b.tls = t);
  }

  public ServerConfig withAuthTokens(Set<String> tokens) {
    return edit(b -> b.authTokens = tokens);
  }

  public ServerConfig withModelPollSeconds(int seconds) {
    return edit(b -> b.modelPollSeconds = seconds);
  }

  public ServerConfig withShutdownGrace(Duration grace) {
    return edit(b -> b.shutdownGrace = grace);
  }

  public ServerConfig withCluster(ClusterOptions options) {
    return edit(b -> b.cluster = options);
  }

  /** A copy with one change: the one place that lists every field twice. */
  private ServerConfig edit(Consumer<Copy> change) {
    Copy c = new Copy(this);
    change.accept(c);
    return new ServerConfig(
        c.host,
        c.port,
        c.modelsDir,
        c.defaultModel,
        c.runtime,
        c.engine,
        c.enginesPerModel,
        c.eventLoops,
        c.serving,
        c.maxRequestBytes,
        c.resetGuard,
        c.metricsHost,
        c.metricsPort,
        c.tls,
        c.authTokens,
        c.shutdownGrace,
        c.modelPollSeconds,
        c.cluster);
  }

  private static final class Copy {
    String host;
    int port;
    Path modelsDir;
    String defaultModel;
    RuntimeOptions runtime;
    EngineLimits engine;
    int enginesPerModel;
    int eventLoops;
    ServingLimits serving;
    int maxRequestBytes;
    ResetGuard resetGuard;
    String metricsHost;
    int metricsPort;
    TlsFiles tls;
    Set<String> authTokens;
    Duration shutdownGrace;
    int modelPollSeconds;
    ClusterOptions cluster;

    Copy(ServerConfig c) {
      host = c.host;
      port = c.port;
      modelsDir = c.modelsDir;
      defaultModel = c.defaultModel;
      runtime = c.runtime;
      engine = c.engine;
      enginesPerModel = c.enginesPerModel;
      eventLoops = c.eventLoops;
      serving = c.serving;
      maxRequestBytes = c.maxRequestBytes;
      resetGuard = c.resetGuard;
      metricsHost = c.metricsHost;
      metricsPort = c.metricsPort;
      tls = c.tls;
      authTokens = c.authTokens;
      shutdownGrace = c.shutdownGrace;
      modelPollSeconds = c.modelPollSeconds;
      cluster = c.cluster;
    }
  }

  /** Never prints the tokens. */
  @Override
  public String toString() {
    return "ServerConfig[host="
        + host
        + ", port="
        + port
        + ", modelsDir="
        + modelsDir
        + ", defaultModel="
        + defaultModel
        + ", runtime="
        + runtime
        + ", engine="
        + engine
        + ", enginesPerModel="
        + enginesPerModel
        + ", eventLoops="
        + eventLoops
        + ", serving="
        + serving
        + ", maxRequestBytes="
        + maxRequestBytes
        + ", resetGuard="
        + resetGuard
        + ", metricsHost="
        + metricsHost
        + ", metricsPort="
        + metricsPort
        + ", tls="
        + tls
        + ", authTokens="
        + authTokens.size()
        + " tokens, shutdownGrace="
        + shutdownGrace
        + ", modelPollSeconds="
        + modelPollSeconds
        + ", cluster="
        + cluster
        + "]";
  }
}
