package dev.pfgm.server.app;

import dev.pfgm.server.app.Settings.Setting;
import dev.pfgm.server.engine.EngineLimits;
import dev.pfgm.server.runtime.RuntimeOptions;
import dev.pfgm.server.transport.ServingLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
 * @param values every key's checked value, for keys no field above carries
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
    ConfigValues values) {

  /** The built-in default model, when default-model is unset and it is served. */
  public static final String DEFAULT_MODEL = "mnist-unet-d128";

  /** The invariants code relies on; the rules with their sources are checked by Settings. */
  public ServerConfig {
    ConfigKey.PORT.range().check("port", port);
    ConfigKey.METRICS_PORT.range().check("metricsPort", metricsPort);
    ConfigKey.ENGINES_PER_MODEL.range().check("enginesPerModel", enginesPerModel);
    ConfigKey.EVENT_LOOPS.range().check("eventLoops", eventLoops);
    ConfigKey.MAX_REQUEST_BYTES.range().check("maxRequestBytes", maxRequestBytes);
    ConfigKey.MODEL_POLL_SECONDS.range().check("modelPollSeconds", modelPollSeconds);
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdownGrace must be >= 0, was " + shutdownGrace);
    }
    Objects.requireNonNull(resetGuard, "resetGuard");
    Objects.requireNonNull(metricsHost, "metricsHost");
    Objects.requireNonNull(values, "values");
    authTokens = Set.copyOf(authTokens);
  }

  /**
   * Builds a configuration in code (tests, benchmarks) through the same declarations, parsing and
   * rules as flags, environment and file: unset keys take their defaults.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Key→value, each value given as its text would be on the command line. */
  public static final class Builder {

    private final Map<ConfigKey, Setting> values = new EnumMap<>(ConfigKey.class);

    private Builder() {}

    /** {@code value}'s string form is the value, as {@code --key=value} would give it. */
    public Builder set(ConfigKey key, Object value) {
      values.put(key, new Setting(String.valueOf(value), "builder"));
      return this;
    }

    /** The configuration; IllegalArgumentException with the rule's message when one is broken. */
    public ServerConfig build() {
      try {
        return new Settings(values).toConfig();
      } catch (ConfigException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
  }

  /** The process's role and how it joins a cluster (role, cluster-host, -port, -members). */
  public ClusterOptions cluster() {
    return ClusterOptions.of(values);
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
        + ", values="
        + values
        + "]";
  }
}
