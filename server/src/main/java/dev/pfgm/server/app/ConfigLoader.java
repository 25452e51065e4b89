package dev.pfgm.server.app;

import dev.pfgm.server.app.Settings.Setting;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Layers the sources into one checked configuration: flags > PFGM_* environment > file > defaults.
 */
final class ConfigLoader {

  /** Names the config file when --config does not. */
  static final String CONFIG_ENV = "PFGM_CONFIG";

  /**
   * A checked configuration and its printout.
   *
   * @param config what the server starts with
   * @param logFormat how the process logs
   * @param settings every raw value with its source
   * @param notes things worth a line in the log (unknown PFGM_* variables)
   */
  record Loaded(ServerConfig config, LogFormat logFormat, Settings settings, List<String> notes) {

    /** The startup block: every key, its value (secrets masked) and its source. */
    String describe() {
      StringBuilder b = new StringBuilder(settings.describe());
      notes.forEach(n -> b.append(System.lineSeparator()).append("  note: ").append(n));
      return b.toString();
    }
  }

  private ConfigLoader() {}

  static Loaded load(CommandLineFlags.Parsed flags, Map<String, String> env)
      throws ConfigException {
    Map<ConfigKey, Setting> merged = new EnumMap<>(ConfigKey.class);
    String file = flags.configFile() != null ? flags.configFile() : env.get(CONFIG_ENV);
    if (file != null && !file.isBlank()) {
      merged.putAll(readFile(Path.of(file)));
    }
    List<String> notes = new ArrayList<>();
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith("PFGM_")
          && !e.getKey().equals(CONFIG_ENV)
          && key(e.getKey()) == null) {
        notes.add("ignored unknown environment variable " + e.getKey());
      }
    }
    for (ConfigKey k : ConfigKey.values()) {
      String v = env.get(k.env());
      if (v != null) {
        merged.put(k, new Setting(v, k.env()));
      }
    }
    flags.values().forEach((k, v) -> merged.put(k, new Setting(v, k.flag())));
    Settings settings = new Settings(merged);
    return new Loaded(settings.toConfig(), settings.logFormat(), settings, notes);
  }

  private static ConfigKey key(String envName) {
    return Arrays.stream(ConfigKey.values())
        .filter(k -> k.env().equals(envName))
        .findFirst()
        .orElse(null);
  }

  /** Reads a .json object of keys, or a .properties file of key=value lines. */
  static Map<ConfigKey, Setting> readFile(Path path) throws ConfigException {
    String origin = "file " + path;
    String text;
    try {
      text = Files.readString(path);
    } catch (IOException e) {
      throw new ConfigException("config file " + path + " must be readable (" + e + ")");
    }
    Map<String, String> raw = new java.util.LinkedHashMap<>();
    if (path.getFileName().toString().endsWith(".json")) {
      JsonObject json;
      try {
        json = new JsonObject(text);
      } catch (DecodeException e) {
        throw new ConfigException(
            "config file " + path + " must be a JSON object (" + e.getMessage() + ")");
      }
      for (Map.Entry<String, Object> e : json) {
        Object v = e.getValue();
        if (v instanceof JsonObject || v == null) {
          throw new ConfigException(
              e.getKey() + " in " + path + " must be a string, number or list");
        }
        raw.put(
            e.getKey(),
            v instanceof JsonArray a
                ? a.stream().map(String::valueOf).collect(Collectors.joining(","))
                : String.valueOf(v));
      }
    } else {
      Properties p = new Properties();
      try (Reader r = new java.io.StringReader(text)) {
        p.load(r);
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigException(
            "config file " + path + " must be a .properties file (" + e.getMessage() + ")");
      }
      p.stringPropertyNames().stream().sorted().forEach(k -> raw.put(k, p.getProperty(k)));
    }
    Map<ConfigKey, Setting> out = new EnumMap<>(ConfigKey.class);
    for (Map.Entry<String, String> e : raw.entrySet()) {
      ConfigKey k = ConfigKey.byKey(e.getKey());
      if (k == null) {
        throw new ConfigException(
            "unknown key '"
                + e.getKey()
                + "' in "
                + path
                + "; known keys: "
                + Arrays.stream(ConfigKey.values())
                    .map(ConfigKey::key)
                    .collect(Collectors.joining(", ")));
      }
      out.put(k, new Setting(e.getValue(), origin));
    }
    return out;
  }
}
