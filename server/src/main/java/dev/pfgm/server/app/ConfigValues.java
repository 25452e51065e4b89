package dev.pfgm.server.app;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Every key's checked value, typed by its declaration: an INT key is an Integer, BOOL a Boolean,
 * TEXT a String ("" when unset), DIR a Path, FILE a Path or null, LIST a List of String. A key that
 * no record field carries yet (a new one) is read here, so adding a key is one declaration.
 */
public final class ConfigValues {

  private final Map<ConfigKey, Object> values;

  ConfigValues(Map<ConfigKey, Object> values) {
    this.values = Collections.unmodifiableMap(new EnumMap<>(values));
  }

  public int integer(ConfigKey k) {
    return (Integer) of(k, KeySpec.Kind.INT);
  }

  public boolean bool(ConfigKey k) {
    return (Boolean) of(k, KeySpec.Kind.BOOL);
  }

  public String text(ConfigKey k) {
    return (String) of(k, KeySpec.Kind.TEXT);
  }

  /** A DIR key's directory, or a FILE key's file (null when unset). */
  public Path path(ConfigKey k) {
    return (Path)
        (k.spec().kind == KeySpec.Kind.DIR ? of(k, KeySpec.Kind.DIR) : of(k, KeySpec.Kind.FILE));
  }

  @SuppressWarnings("unchecked")
  public List<String> list(ConfigKey k) {
    return (List<String>) of(k, KeySpec.Kind.LIST);
  }

  /** The value whatever its kind. */
  Object get(ConfigKey k) {
    return values.get(k);
  }

  private Object of(ConfigKey k, KeySpec.Kind kind) {
    if (k.spec().kind != kind) {
      throw new IllegalArgumentException(k.key() + " is " + k.spec().kind + ", not " + kind);
    }
    return values.get(k);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigValues other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /** Secrets masked. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    values.forEach(
        (k, v) ->
            b.append(b.length() > 1 ? ", " : "")
                .append(k.key())
                .append('=')
                .append(k.spec().secret ? "(secret)" : v));
    return b.append('}').toString();
  }
}
