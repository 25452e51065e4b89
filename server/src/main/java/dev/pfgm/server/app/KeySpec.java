package dev.pfgm.server.app;

import dev.pfgm.server.engine.IntRange;
import java.util.function.Predicate;

/**
 * How one {@link ConfigKey} is parsed, checked and explained; built once per key by the factories
 * below, frozen when the key is constructed. A range or rule is referenced here, not re-typed: the
 * record that holds the value owns the constant.
 */
final class KeySpec {

  /** How the value is read. */
  enum Kind {
    /** A string, checked by the key's rule. */
    TEXT,
    /** An integer in the key's range. */
    INT,
    /** true or false. */
    BOOL,
    /** An existing directory. */
    DIR,
    /** An optional readable file. */
    FILE,
    /**
     * A comma-separated list (a JSON list in a .json file); set to an empty list it is refused, so
     * a template that expands to nothing cannot read as "none configured".
     */
    LIST
  }

  final Kind kind;
  final String label;
  String help = "";
  String defaultValue = "";
  String shownDefault;
  String example;
  IntRange range;
  ConfigKey floor;
  Predicate<String> rule = v -> true;
  String ruleText = "";
  boolean secret;
  String noun;

  private KeySpec(Kind kind, String label, String defaultValue) {
    this.kind = kind;
    this.label = label;
    this.defaultValue = defaultValue;
  }

  /** A string; "" as the default means unset. */
  static KeySpec text(String label, String defaultValue) {
    return new KeySpec(Kind.TEXT, label, defaultValue);
  }

  static KeySpec integer(String label, IntRange range, long defaultValue) {
    KeySpec s = new KeySpec(Kind.INT, label, Long.toString(defaultValue));
    s.range = range;
    return s;
  }

  static KeySpec bool(boolean defaultValue) {
    return new KeySpec(Kind.BOOL, "BOOL", Boolean.toString(defaultValue))
        .example(Boolean.toString(!defaultValue));
  }

  static KeySpec dir(String defaultValue) {
    return new KeySpec(Kind.DIR, "DIR", defaultValue);
  }

  static KeySpec file() {
    return new KeySpec(Kind.FILE, "FILE", "");
  }

  /**
   * A list, unset by default; {@code noun} names its items and {@code emptyRule} is the rule an
   * empty list breaks ("was 0 noun").
   */
  static KeySpec list(String label, String noun, String emptyRule) {
    KeySpec s = new KeySpec(Kind.LIST, label, "");
    s.noun = noun;
    s.ruleText = emptyRule;
    return s;
  }

  /**
   * A TEXT value that is set (or has a default) must pass {@code test}, else "key {@code text}".
   */
  KeySpec rule(Predicate<String> test, String text) {
    rule = test;
    ruleText = text;
    return this;
  }

  /** What the key means, for --help (which adds the range, env name, default and example). */
  KeySpec help(String text) {
    help = text;
    return this;
  }

  /**
   * A valid value other than the default, for --help and the test that every source reads every key
   * alike.
   */
  KeySpec example(String value) {
    example = value;
    return this;
  }

  /** How --help and the docs show a default that is computed or means "another key's value". */
  KeySpec shown(String defaultText) {
    shownDefault = defaultText;
    return this;
  }

  /** The range's lower end is raised to the value of {@code key} (declared before this one). */
  KeySpec atLeast(ConfigKey key) {
    floor = key;
    return this;
  }

  /** Masked in the startup table and in error messages. */
  KeySpec secret() {
    secret = true;
    return this;
  }
}
