package dev.pfgm.server.app;

import dev.pfgm.server.engine.EngineLimits;
import dev.pfgm.server.runtime.RuntimeOptions;
import dev.pfgm.server.transport.ServingLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the server is started with. Built and checked by {@link Settings} from flags,
 * environment, file and defaults; the constructor keeps only the invariants code relies on.
 *
 * @param host            address the gRPC port binds
 * @param port            gRPC port (0 picks a free one)
 * @param modelsDir       folder of model folders
 * @param defaultModel    model for requests that name none; when not served, the first served model
 * @param enginesPerModel engines (worker verticles) per model; jobs go to the least loaded
 * @param maxRequestBytes largest request message accepted
 * @param resetGuard      HTTP/2 rapid-reset guard of the gRPC port
 * @param metricsHost     address the metrics port binds
 * @param metricsPort     Prometheus /metrics port; 0 turns metrics off
 * @param tls             TLS on the gRPC port, or null for plaintext (h2c)
 * @param authTokens      accepted bearer tokens; empty turns authentication off
 * @param shutdownGrace   how long running streams may finish after SIGTERM
 */
public record ServerConfig(String host, int port, Path modelsDir, String defaultModel,
    RuntimeOptions runtime, EngineLimits engine, int enginesPerModel, ServingLimits serving, int maxRequestBytes,
    ResetGuard resetGuard, String metricsHost, int metricsPort, TlsFiles tls, Set<String> authTokens, Duration shutdownGrace) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 50051;
  public static final Path DEFAULT_MODELS_DIR = Path.of("models");
  public static final String DEFAULT_MODEL = "mnist-unet-d128";
  public static final int DEFAULT_ENGINES_PER_MODEL = 1;
  /** Requests are small; a deliberate cap well above any valid GenerateRequest. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;
  public static final int DEFAULT_METRICS_PORT = 9090;
  public static final int DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;

  public static ServerConfig defaults() {
    return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MODELS_DIR, DEFAULT_MODEL,
        RuntimeOptions.DEFAULTS, EngineLimits.DEFAULTS, DEFAULT_ENGINES_PER_MODEL, ServingLimits.DEFAULTS, DEFAULT_MAX_REQUEST_BYTES,
        ResetGuard.DEFAULTS, DEFAULT_HOST, DEFAULT_METRICS_PORT, null, Set.of(), Duration.ofSeconds(DEFAULT_SHUTDOWN_GRACE_SECONDS));
  }

  public ServerConfig {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, was " + port);
    }
    if (enginesPerModel < 1 || enginesPerModel > 64) {
      throw new IllegalArgumentException("enginesPerModel must be in 1..64, was " + enginesPerModel);
    }
    if (metricsPort < 0 || metricsPort > 65535) {
      throw new IllegalArgumentException("metricsPort must be in 0..65535, was " + metricsPort);
    }
    if (maxRequestBytes < 1) {
      throw new IllegalArgumentException("maxRequestBytes must be >= 1, was " + maxRequestBytes);
    }
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdownGrace must be >= 0, was " + shutdownGrace);
    }
    Objects.requireNonNull(resetGuard, "resetGuard");
    Objects.requireNonNull(metricsHost, "metricsHost");
    authTokens = Set.copyOf(authTokens);
  }

  public ServerConfig withPort(int p) {
    return new ServerConfig(host, p, modelsDir, defaultModel, runtime, engine, enginesPerModel, serving, maxRequestBytes,
        resetGuard, metricsHost, metricsPort, tls, authTokens, shutdownGrace);
  }

  public ServerConfig withModelsDir(Path dir) {
    return new ServerConfig(host, port, dir, defaultModel, runtime, engine, enginesPerModel, serving, maxRequestBytes,
        resetGuard, metricsHost, metricsPort, tls, authTokens, shutdownGrace);
  }

  /** The gRPC address only; metrics keep {@link #metricsHost()}. */
  public ServerConfig withHost(String h) {
    return new ServerConfig(h, port, modelsDir, defaultModel, runtime, engine, enginesPerModel, serving, maxRequestBytes,
        resetGuard, metricsHost, metricsPort, tls, authTokens, shutdownGrace);
  }

  public ServerConfig withEnginesPerModel(int k) {
    return new ServerConfig(host, port, modelsDir, defaultModel, runtime, engine, k, serving, maxRequestBytes,
        resetGuard, metricsHost, metricsPort, tls, authTokens, shutdownGrace);
  }

  public ServerConfig withEngine(EngineLimits limits) {
    return new ServerConfig(host, port, modelsDir, defaultModel, runtime, limits, enginesPerModel, serving, maxRequestBytes,
        resetGuard, metricsHost, metricsPort, tls, authTokens, shutdownGrace);
  }

  public ServerConfig withMetricsPort(int p) {
    return new ServerConfig(host, port, modelsDir, defaultModel, runtime, engine, enginesPerModel, serving, maxRequestBytes,
        resetGuard, metricsHost, p, tls, authTokens, shutdownGrace);
  }

  public ServerConfig withMetricsHost(String h) {
    return new ServerConfig(host, port, modelsDir, defaultModel, runtime, engine, enginesPerModel, serving, maxRequestBytes,
        resetGuard, h, metricsPort, tls, authTokens, shutdownGrace);
  }

  public ServerConfig withResetGuard(ResetGuard guard) {
    return new ServerConfig(host, port, modelsDir, defaultModel, runtime, engine, enginesPerModel, serving, maxRequestBytes,
        guard, metricsHost, metricsPort, tls, authTokens, shutdownGrace);
  }

  public ServerConfig withTls(TlsFiles t) {
    return new ServerConfig(host, port, modelsDir, defaultModel, runtime, engine, enginesPerModel, serving, maxRequestBytes,
        resetGuard, metricsHost, metricsPort, t, authTokens, shutdownGrace);
  }

  public ServerConfig withAuthTokens(Set<String> tokens) {
    return new ServerConfig(host, port, modelsDir, defaultModel, runtime, engine, enginesPerModel, serving, maxRequestBytes,
        resetGuard, metricsHost, metricsPort, tls, tokens, shutdownGrace);
  }

  public ServerConfig withShutdownGrace(Duration grace) {
    return new ServerConfig(host, port, modelsDir, defaultModel, runtime, engine, enginesPerModel, serving, maxRequestBytes,
        resetGuard, metricsHost, metricsPort, tls, authTokens, grace);
  }

  /** Never prints the tokens. */
  @Override
  public String toString() {
    return "ServerConfig[host=" + host + ", port=" + port + ", modelsDir=" + modelsDir + ", defaultModel="
        + defaultModel + ", runtime=" + runtime + ", engine=" + engine + ", enginesPerModel=" + enginesPerModel + ", serving=" + serving
        + ", maxRequestBytes=" + maxRequestBytes + ", resetGuard=" + resetGuard + ", metricsHost=" + metricsHost
        + ", metricsPort=" + metricsPort + ", tls=" + tls
        + ", authTokens=" + authTokens.size() + " tokens, shutdownGrace=" + shutdownGrace + "]";
  }
}
