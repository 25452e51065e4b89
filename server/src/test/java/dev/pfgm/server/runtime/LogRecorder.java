package dev.pfgm.server.runtime;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what a logger and its children (a class, a package, or "" for everything) log, while
 * open. The one log capture of the server's tests.
 */
public final class LogRecorder extends Handler implements AutoCloseable {

  private final Logger logger; // held: java.util.logging keeps loggers only weakly
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  // The Vert.x instance whose thread logged each record (null: not a Vert.x thread), same order.
  private final List<Vertx> owners = new CopyOnWriteArrayList<>();

  public LogRecorder(String name) {
    logger = Logger.getLogger(name);
    logger.addHandler(this);
  }

  /** Everything recorded so far, in order. */
  public List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** Messages logged at level or above. */
  public List<String> atLeast(Level level) {
    return at(level, Integer.MAX_VALUE);
  }

  /** Messages logged at exactly level. */
  public List<String> at(Level level) {
    return at(level, level.intValue());
  }

  /**
   * Messages at level or above not logged on a thread of {@code client}: with a test's own Vert.x
   * client in the same JVM, what the server (or anything else) logged.
   */
  public List<String> atLeastExcept(Level level, Vertx client) {
    return java.util.stream.IntStream.range(0, records.size())
        .filter(i -> records.get(i).getLevel().intValue() >= level.intValue())
        .filter(i -> owners.get(i) != client)
        .mapToObj(i -> records.get(i).getLoggerName() + ": " + records.get(i).getMessage())
        .toList();
  }

  private List<String> at(Level min, int max) {
    return records.stream()
        .filter(r -> r.getLevel().intValue() >= min.intValue() && r.getLevel().intValue() <= max)
        .map(LogRecord::getMessage)
        .toList();
  }

  @Override
  public synchronized void publish(LogRecord r) {
    Context context = Vertx.currentContext(); // publish runs on the logging thread
    owners.add(context == null ? null : context.owner());
    records.add(r);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
