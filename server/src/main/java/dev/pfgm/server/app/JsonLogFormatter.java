package dev.pfgm.server.app;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * A log record as one line of JSON: {@code {"time":"2026-11-30T14:17:06.123Z","level":"INFO",
 * "logger":"dev.pfgm.server.app.Main","message":"...","thread":"main"}}, then {@code "error"} (the
 * stack trace, in one string) when the record carries one, then the entries of a {@code Map}
 * parameter as fields of their own (the access log's id, model, status, ...). Levels keep their
 * java.util.logging names (SEVERE, WARNING, INFO). Newlines inside values are escaped, so every
 * event is one line.
 */
final class JsonLogFormatter extends Formatter {

  @Override
  public String format(LogRecord r) {
    JsonObject json =
        new JsonObject()
            .put("time", r.getInstant().toString())
            .put("level", r.getLevel().getName())
            .put("logger", r.getLoggerName())
            .put("message", formatMessage(r))
            // Handlers format on the thread that logged (the console handler does).
            .put("thread", Thread.currentThread().getName());
    if (r.getThrown() != null) {
      StringWriter trace = new StringWriter();
      r.getThrown().printStackTrace(new PrintWriter(trace));
      json.put("error", trace.toString().strip());
    }
    if (r.getParameters() != null) {
      for (Object p : r.getParameters()) {
        if (p instanceof Map<?, ?> fields) {
          // The fixed keys come first and are never replaced.
          fields.forEach((k, v) -> json.getMap().putIfAbsent(String.valueOf(k), value(v)));
        }
      }
    }
    return json.encode() + System.lineSeparator();
  }

  /**
   * Numbers, booleans and strings as JSON has them; NaN and infinities (no JSON number) as null.
   */
  private static Object value(Object v) {
    if (v instanceof Double d && !Double.isFinite(d)
        || v instanceof Float f && !Float.isFinite(f)) {
      return null;
    }
    return v == null || v instanceof Number || v instanceof Boolean || v instanceof String
        ? v
        : v.toString();
  }
}
