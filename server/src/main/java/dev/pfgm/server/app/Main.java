package dev.pfgm.server.app;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * Starts pfgm-serve. With no arguments: port 50051, the models in ./models, CPU, metrics on 9090.
 * See {@code --help} and docs/operations.md. Exit codes: 0 after a clean shutdown (SIGTERM or
 * SIGINT), 1 when the server cannot start, 2 for a bad configuration value.
 */
public final class Main {

  private static final Logger LOG = Logger.getLogger(Main.class.getName());

  private Main() {}

  public static void main(String[] args) throws Exception {
    LogFormat.textPattern();
    ConfigLoader.Loaded loaded;
    try {
      CommandLineFlags.Parsed flags = CommandLineFlags.parse(args);
      if (flags.helpRequested()) {
        System.out.print(CommandLineFlags.usage());
        return;
      }
      loaded = ConfigLoader.load(flags, System.getenv());
    } catch (ConfigException e) {
      System.err.println("pfgm-serve: configuration error: " + e.getMessage());
      System.exit(ConfigException.EXIT_CODE);
      return;
    }
    loaded.logFormat().install();
    LOG.info(loaded.describe());
    ServerConfig config = loaded.config();
    // SIGTERM and SIGINT drain and exit 0 (installed before start, so none is missed in between).
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    PfgmServer server;
    try {
      server = PfgmServer.start(config);
    } catch (ConfigException e) {
      System.err.println("pfgm-serve: configuration error: " + e.getMessage());
      System.exit(ConfigException.EXIT_CODE);
      return;
    } catch (Exception e) {
      // No servable model, a port in use, a certificate refused: the message says it all. A stack
      // trace only for what may be a bug.
      LOG.log(Level.SEVERE, "pfgm-serve could not start: " + e.getMessage(), e instanceof IOException ? null : e);
      System.exit(1);
      return;
    }
    // A JVM exit by any other way still closes the server (open streams end UNAVAILABLE).
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        LOG.warning("shutdown: " + e);
      }
    }, "pfgm-shutdown"));
    stop.await();
    int code = 0;
    try {
      server.shutdown(config.shutdownGrace());
      LOG.info("pfgm-serve stopped");
    } catch (Exception e) {
      LOG.log(Level.WARNING, "shutdown: " + e, e);
      code = 1;
    }
    System.exit(code);
  }
}
