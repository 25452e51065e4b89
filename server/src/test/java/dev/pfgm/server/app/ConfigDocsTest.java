package dev.pfgm.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.server.it.ServerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md and --help against the declarations: a key added, renamed or given a new
 * default or range without its docs row fails here.
 */
class ConfigDocsTest {

  private static final Path OPERATIONS =
      ServerFixture.MODELS.toAbsolutePath().normalize().getParent().resolve("docs/operations.md");

  /** The rows of the table under "| key | environment | flag | default | rule |", as cells. */
  private static List<String[]> rows() throws Exception {
    List<String> lines = Files.readAllLines(OPERATIONS);
    int header = lines.indexOf("| key | environment | flag | default | rule |");
    assertTrue(header >= 0, "no configuration table in " + OPERATIONS);
    return lines.stream()
        .skip(header + 2)
        .takeWhile(l -> l.startsWith("|"))
        .map(
            l ->
                Stream.of(l.substring(1, l.length() - 1).split(" \\| ", 5))
                    .map(c -> c.strip().replace("`", ""))
                    .toArray(String[]::new))
        .toList();
  }

  @Test
  void theOperationsTableListsExactlyTheDeclaredKeysInOrder() throws Exception {
    assertEquals(
        Stream.of(ConfigKey.values()).map(ConfigKey::key).toList(),
        rows().stream().map(r -> r[0]).toList());
  }

  @Test
  void eachRowHasTheKeysEnvironmentVariableFlagDefaultAndRange() throws Exception {
    for (String[] r : rows()) {
      ConfigKey k = ConfigKey.byKey(r[0]);
      assertEquals(k.env(), r[1], r[0]);
      assertEquals(k.flag(), r[2], r[0]);
      assertEquals(k.shownDefault(), r[3], r[0]);
      if (k.range() != null) {
        assertTrue(r[4].contains(range(k)), r[0] + ": the rule should say " + range(k));
      }
    }
  }

  @Test
  void helpGivesEveryKeyItsEnvironmentVariableDefaultAndRange() {
    // picocli wraps lines, and at dots too ("model. json"): compare without white space.
    String usage = CommandLineFlags.usage().replaceAll("\\s+", "");
    for (ConfigKey k : ConfigKey.values()) {
      String help = CommandLineFlags.help(k);
      assertTrue(usage.contains(k.flag()) && usage.contains(help.replaceAll("\\s+", "")), help);
      assertTrue(help.contains(" Env " + k.env() + "; default " + k.shownDefault()), help);
      assertTrue(k.range() == null || help.contains(" Range " + range(k) + "."), help);
    }
  }

  /** As docs and help write a range: a raised lower end names its key. */
  private static String range(ConfigKey k) {
    ConfigKey floor = k.spec().floor;
    return floor == null ? k.range().toString() : floor.key() + ".." + k.range().max();
  }
}
