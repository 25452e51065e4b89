package dev.pfgm.server.app;

import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * How the server's log records reach the console (java.util.logging's root handlers, stderr):
 * {@code text}, a line per event for people, or {@code json}, one JSON object per line for log
 * collectors ({@link JsonLogFormatter}). Text events are one line each except the startup
 * configuration table (its rows indented) and the stack trace of a server bug.
 */
enum LogFormat {
  TEXT,
  JSON;

  static final LogFormat DEFAULT = TEXT;

  /** Date, time, level, logger: message, then the stack trace if there is one. */
  static final String TEXT_PATTERN = "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n";

  private static final String TEXT_PROPERTY = "java.util.logging.SimpleFormatter.format";

  /** The key's value: "text" or "json". */
  String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The format a config value names, or null when it names none. */
  static LogFormat of(String value) {
    for (LogFormat f : values()) {
      if (f.value().equals(value.strip().toLowerCase(Locale.ROOT))) {
        return f;
      }
    }
    return null;
  }

  /**
   * Sets the text pattern unless one was given with -D; call before anything logs, because
   * SimpleFormatter reads it when the console handler is created.
   */
  static void textPattern() {
    if (System.getProperty(TEXT_PROPERTY) == null) {
      System.setProperty(TEXT_PROPERTY, TEXT_PATTERN);
    }
  }

  /** Applies this format to the root logger's handlers (text leaves them as configured). */
  void install() {
    if (this == JSON) {
      for (Handler h : Logger.getLogger("").getHandlers()) {
        h.setFormatter(new JsonLogFormatter());
      }
    }
  }
}
