package dev.pfgm.server.app;

import dev.pfgm.server.engine.EngineLimits;
import dev.pfgm.server.runtime.RuntimeOptions;
import dev.pfgm.server.transport.ServingLimits;
import java.nio.file.Path;

/**
 * Everything the server is started with.
 *
 * @param host         address to bind
 * @param port         gRPC port (0 picks a free one)
 * @param modelsDir    folder of model folders
 * @param defaultModel model for requests that name none; empty picks the first served model
 */
public record ServerConfig(String host, int port, Path modelsDir, String defaultModel,
    RuntimeOptions runtime, EngineLimits engine, int enginesPerModel, ServingLimits serving) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 50051;
  public static final Path DEFAULT_MODELS_DIR = Path.of("models");
  public static final String DEFAULT_MODEL = "mnist-exact-d128";
  public static final int DEFAULT_ENGINES_PER_MODEL = 1;

  public static ServerConfig defaults() {
    return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MODELS_DIR, DEFAULT_MODEL,
        RuntimeOptions.DEFAULTS, EngineLimits.DEFAULTS, DEFAULT_ENGINES_PER_MODEL, ServingLimits.DEFAULTS);
  }

  public ServerConfig {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, was " + port);
    }
    if (enginesPerModel < 1 || enginesPerModel > 64) {
      throw new IllegalArgumentException("enginesPerModel must be in 1..64, was " + enginesPerModel);
    }
  }

  public ServerConfig withPort(int p) {
    return new ServerConfig(host, p, modelsDir, defaultModel, runtime, engine, enginesPerModel, serving);
  }

  public ServerConfig withModelsDir(Path dir) {
    return new ServerConfig(host, port, dir, defaultModel, runtime, engine, enginesPerModel, serving);
  }

  public ServerConfig withHost(String h) {
    return new ServerConfig(h, port, modelsDir, defaultModel, runtime, engine, enginesPerModel, serving);
  }

  public ServerConfig withEnginesPerModel(int k) {
    return new ServerConfig(host, port, modelsDir, defaultModel, runtime, engine, k, serving);
  }

  public ServerConfig withEngine(EngineLimits limits) {
    return new ServerConfig(host, port, modelsDir, defaultModel, runtime, limits, enginesPerModel, serving);
  }
}
