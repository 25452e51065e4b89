package dev.pfgm.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.server.engine.IntRange;
import dev.pfgm.server.it.ServerFixture;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated from the declarations: every key, through every source (flag, PFGM_* variable,
 * .properties file, .json file, and the builder for refusals), gives the same effective value, and
 * a value out of its range or rule is refused with the same message, naming its source.
 */
class ConfigSourcesTest {

  @TempDir static Path dir;
  private static SelfSignedCertificate pair;

  /** DIR and FILE keys need real paths (the declared examples name a deployment's). */
  private static final Map<ConfigKey, String> REAL_PATHS = new EnumMap<>(ConfigKey.class);

  @BeforeAll
  static void paths() throws Exception {
    pair = SelfSignedCertificate.create("localhost");
    REAL_PATHS.put(ConfigKey.MODELS, Files.createDirectory(dir.resolve("models")).toString());
    REAL_PATHS.put(ConfigKey.TLS_CERT, pair.certificatePath());
    REAL_PATHS.put(ConfigKey.TLS_KEY, pair.privateKeyPath());
    REAL_PATHS.put(ConfigKey.TLS_CLIENT_CA, pair.certificatePath());
    REAL_PATHS.put(
        ConfigKey.AUTH_TOKENS_FILE,
        Files.writeString(dir.resolve("tokens"), "file-token-0123456789\n").toString());
  }

  @AfterAll
  static void delete() {
    pair.delete();
  }

  /** A source: how a map of key to value reaches the loader, and how it names itself. */
  private record Source(String name, Function<Map<ConfigKey, String>, ConfigLoader.Loaded> load) {}

  private static List<Source> sources() {
    return List.of(
        new Source("flag", v -> load(flags(v), Map.of())),
        new Source("env", v -> load(List.of(), env(v))),
        new Source(
            "properties", v -> load(List.of("--config=" + file(v, ".properties")), Map.of())),
        new Source("json", v -> load(List.of("--config=" + file(v, ".json")), Map.of())));
  }

  @Test
  void everyKeyHasTheSameEffectiveValueFromEverySource() {
    assertEquals(
        Stream.of(ConfigKey.values())
            .filter(k -> k.spec().kind == KeySpec.Kind.DIR || k.spec().kind == KeySpec.Kind.FILE)
            .collect(Collectors.toSet()),
        REAL_PATHS.keySet(),
        "every DIR and FILE key needs a real path here");
    Map<ConfigKey, String> examples = new EnumMap<>(ConfigKey.class);
    for (ConfigKey k : ConfigKey.values()) {
      examples.put(k, REAL_PATHS.getOrDefault(k, k.example()));
    }
    ConfigValues defaults =
        ServerConfig.builder().set(ConfigKey.MODELS, ServerFixture.MODELS).build().values();
    ConfigLoader.Loaded first = null;
    for (Source s : sources()) {
      ConfigLoader.Loaded l = s.load().apply(examples);
      String table = l.describe();
      for (ConfigKey k : ConfigKey.values()) {
        // The example differs from the default and wins over it.
        assertNotEquals(defaults.get(k), l.config().values().get(k), k + " from " + s.name());
        String row =
            table
                .lines()
                .filter(r -> r.startsWith("  " + k.key() + " "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(k + " missing from\n" + table));
        assertTrue(row.endsWith(" " + origin(k, s)), row + " from " + s.name());
        assertTrue(k.spec().secret || row.contains(" " + examples.get(k) + " "), row);
      }
      if (first != null) {
        assertEquals(first.config(), l.config(), s.name());
        assertEquals(first.logFormat(), l.logFormat(), s.name());
      }
      first = l;
    }
  }

  @TestFactory
  Stream<DynamicTest> aValueOutsideItsRuleIsRefusedAlikeFromEverySource() {
    return Stream.of(ConfigKey.values())
        .flatMap(
            k ->
                invalid(k).stream()
                    .map(
                        v -> DynamicTest.dynamicTest(k.key() + "=" + v, () -> refusedAlike(k, v))));
  }

  private static void refusedAlike(ConfigKey k, String value) {
    Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
    values.put(ConfigKey.MODELS, ServerFixture.MODELS.toString());
    values.put(k, value);
    Map<String, String> messages = new LinkedHashMap<>();
    for (Source s : sources()) {
      String m = assertThrows(RuntimeException.class, () -> s.load().apply(values)).getMessage();
      String from = "(from " + origin(k, s) + ")";
      assertTrue(m.startsWith(k.key()) && m.contains(from), m + " from " + s.name());
      messages.put(s.name(), m.replace(from, "(from SOURCE)"));
    }
    ServerConfig.Builder b = ServerConfig.builder();
    values.forEach(b::set);
    String m = assertThrows(IllegalArgumentException.class, b::build).getMessage();
    messages.put("builder", m.replace("(from builder)", "(from SOURCE)"));
    assertEquals(1, Set.copyOf(messages.values()).size(), messages.toString());
  }

  /** Values that break the key's declared range or rule. */
  private static List<String> invalid(ConfigKey k) {
    IntRange r = k.range();
    return switch (k.spec().kind) {
      case INT -> List.of((r.min() - 1L) + "", (r.max() + 1L) + "", "many");
      case BOOL -> List.of("maybe");
      case TEXT -> List.of("");
      case DIR, FILE -> List.of(dir.resolve("missing").toString());
      case LIST -> List.of(",");
    };
  }

  /** How the startup table and error messages name where a value came from. */
  private static String origin(ConfigKey k, Source s) {
    return switch (s.name()) {
      case "flag" -> k.flag();
      case "env" -> k.env();
      default ->
          "file " + dir.resolve("conf" + (s.name().equals("json") ? ".json" : ".properties"));
    };
  }

  private static List<String> flags(Map<ConfigKey, String> values) {
    List<String> args = new ArrayList<>();
    values.forEach((k, v) -> args.add(k.flag() + "=" + v));
    return args;
  }

  private static Map<String, String> env(Map<ConfigKey, String> values) {
    Map<String, String> env = new LinkedHashMap<>();
    values.forEach((k, v) -> env.put(k.env(), v));
    return env;
  }

  private static Path file(Map<ConfigKey, String> values, String suffix) {
    Path p = dir.resolve("conf" + suffix);
    try (Writer w = Files.newBufferedWriter(p)) {
      if (suffix.equals(".json")) {
        JsonObject json = new JsonObject();
        values.forEach((k, v) -> json.put(k.key(), v));
        w.write(json.encode());
      } else {
        Properties props = new Properties();
        values.forEach((k, v) -> props.setProperty(k.key(), v));
        props.store(w, null);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return p;
  }

  private static ConfigLoader.Loaded load(List<String> args, Map<String, String> env) {
    try {
      return ConfigLoader.load(CommandLineFlags.parse(args.toArray(String[]::new)), env);
    } catch (ConfigException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
