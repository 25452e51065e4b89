package dev.pfgm.server.app;

import dev.pfgm.server.runtime.RuntimeOptions;
import java.nio.file.Path;

/** Parses the command line (--key=value) over the defaults of {@link ServerConfig}. */
final class Args {

  private Args() {}

  static ServerConfig parse(String[] args) {
    ServerConfig c = ServerConfig.defaults();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("arguments are --key=value, was '" + arg + "'");
      }
      String key = arg.substring(2, eq);
      String value = arg.substring(eq + 1);
      c = switch (key) {
        case "port" -> c.withPort(Integer.parseInt(value));
        case "models" -> c.withModelsDir(Path.of(value));
        case "device" -> new ServerConfig(c.host(), c.port(), c.modelsDir(), c.defaultModel(),
            new RuntimeOptions(value, c.runtime().intraOpThreads(), c.runtime().spinWait()), c.engine(), c.enginesPerModel(), c.serving());
        case "default-model" -> new ServerConfig(c.host(), c.port(), c.modelsDir(), value,
            c.runtime(), c.engine(), c.enginesPerModel(), c.serving());
        case "host" -> new ServerConfig(value, c.port(), c.modelsDir(), c.defaultModel(),
            c.runtime(), c.engine(), c.enginesPerModel(), c.serving());
        default -> throw new IllegalArgumentException("unknown option --" + key
            + " (known: --port, --host, --models, --device, --default-model)");
      };
    }
    return c;
  }
}
