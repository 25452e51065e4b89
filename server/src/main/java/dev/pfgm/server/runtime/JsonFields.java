package dev.pfgm.server.runtime;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;

/**
 * Typed reads of one JSON file of a model folder. Every read checks the value's type and range, and
 * every failure names the file, the field, the rule and the value it found.
 */
final class JsonFields {

  private final String file;
  private final JsonObject o;

  private JsonFields(String file, JsonObject o) {
    this.file = file;
    this.o = o;
  }

  /** Parses text that must hold one JSON object. */
  static JsonFields parse(String file, String text) throws ModelLoadException {
    Object value;
    try {
      value = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new ModelLoadException(file + " is not valid JSON: " + e.getMessage());
    }
    if (!(value instanceof JsonObject o)) {
      throw new ModelLoadException(file + " must be a JSON object, was " + describe(value));
    }
    return new JsonFields(file, o);
  }

  boolean has(String key) {
    return o.containsKey(key);
  }

  /** The value of a key that must be present (it may be null). */
  Object required(String key) throws ModelLoadException {
    if (!o.containsKey(key)) {
      throw new ModelLoadException(file + ": missing required key '" + key + "'");
    }
    return o.getValue(key);
  }

  String string(String key) throws ModelLoadException {
    return asString(key, required(key));
  }

  /** An optional string: absent gives fallback; present must be a string. */
  String stringOr(String key, String fallback) throws ModelLoadException {
    return o.containsKey(key) ? asString(key, o.getValue(key)) : fallback;
  }

  /** v, which field (a key or an array element) holds, as a string. */
  String asString(String field, Object v) throws ModelLoadException {
    if (!(v instanceof String s)) {
      throw fail(field, "must be a string", v);
    }
    return s;
  }

  /** A finite number. */
  double number(String key) throws ModelLoadException {
    return asNumber(key, required(key));
  }

  double asNumber(String field, Object v) throws ModelLoadException {
    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      throw fail(field, "must be a finite number", v);
    }
    return n.doubleValue();
  }

  /** An integer (written without a fraction) in min..max. */
  int integer(String key, int min, int max) throws ModelLoadException {
    return asInteger(key, required(key), min, max);
  }

  int asInteger(String field, Object v, int min, int max) throws ModelLoadException {
    boolean integral =
        v instanceof Integer
            || v instanceof Long
            || v instanceof Short
            || v instanceof Byte
            || v instanceof BigInteger;
    if (!integral
        || ((Number) v).longValue() < min
        || ((Number) v).longValue() > max
        || (v instanceof BigInteger b && b.bitLength() > 63)) {
      throw fail(field, "must be an integer in " + min + ".." + max, v);
    }
    return ((Number) v).intValue();
  }

  JsonArray array(String key) throws ModelLoadException {
    Object v = required(key);
    if (!(v instanceof JsonArray a)) {
      throw fail(key, "must be an array", v);
    }
    return a;
  }

  /** An optional object: absent gives an empty one. */
  JsonObject object(String key) throws ModelLoadException {
    Object v = o.getValue(key, new JsonObject());
    if (!(v instanceof JsonObject j)) {
      throw fail(key, "must be an object", v);
    }
    return j;
  }

  /** An array of finite float32 values: x, sigma, denoised of check.json. */
  float[] floats(String key) throws ModelLoadException {
    JsonArray a = array(key);
    float[] f = new float[a.size()];
    for (int i = 0; i < f.length; i++) {
      String field = key + "[" + i + "]";
      f[i] = (float) asNumber(field, a.getValue(i));
      if (!Float.isFinite(f[i])) {
        throw fail(field, "must be a finite float32", a.getValue(i));
      }
    }
    return f;
  }

  ModelLoadException fail(String field, String rule, Object value) {
    return new ModelLoadException(file + ": " + field + " " + rule + ", was " + describe(value));
  }

  /** A value as a message shows it: short JSON text, or its kind and size. */
  static String describe(Object v) {
    String text =
        v instanceof String s
            ? Json.encode(s)
            : v instanceof JsonArray a
                ? a.encode()
                : v instanceof JsonObject j ? j.encode() : String.valueOf(v);
    if (text.length() <= 60) {
      return text;
    }
    return v instanceof JsonArray a
        ? "an array of " + a.size() + " values"
        : v instanceof JsonObject j
            ? "an object of " + j.size() + " keys"
            : text.substring(0, 57) + "...";
  }
}
