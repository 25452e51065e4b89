package dev.pfgm.server.app;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * Starts pfgm-serve. With no arguments: port 50051, the models in ./models, CPU, metrics on 9090.
 * See {@code --help} and docs/operations.md. Exit codes: 0 after a clean shutdown (SIGTERM or
 * SIGINT), 1 when the server cannot start, 2 for a bad configuration value. SIGHUP reloads the
 * models folder ({@link PfgmServer#reload()}).
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
    // SIGHUP reloads the models folder, on a thread of its own (models load there); reloads queue.
    // Installed before start too: the JVM's default for SIGHUP is to exit.
    AtomicReference<PfgmServer> server = new AtomicReference<>();
    ExecutorService reloads =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "pfgm-reload");
              t.setDaemon(true);
              return t;
            });
    Signal.handle(new Signal("HUP"), s -> reloads.execute(() -> reload(server.get())));
    PfgmServer started;
    try {
      started = PfgmServer.start(config);
    } catch (ConfigException e) {
      System.err.println("pfgm-serve: configuration error: " + e.getMessage());
      System.exit(ConfigException.EXIT_CODE);
      return;
    } catch (Exception e) {
      // No servable model, a port in use, a certificate refused: the message says it all. A stack
      // trace only for what may be a bug.
      LOG.log(
          Level.SEVERE,
          "pfgm-serve could not start: " + e.getMessage(),
          e instanceof IOException ? null : e);
      System.exit(1);
      return;
    }
    server.set(started);
    // A JVM exit by any other way still closes the server (open streams end UNAVAILABLE).
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    started.close();
                  } catch (Exception e) {
                    LOG.warning("shutdown: " + e);
                  }
                },
                "pfgm-shutdown"));
    stop.await();
    int code = 0;
    try {
      started.shutdown(config.shutdownGrace());
      LOG.info("pfgm-serve stopped");
    } catch (Exception e) {
      LOG.log(Level.WARNING, "shutdown: " + e, e);
      code = 1;
    }
    System.exit(code);
  }

  /** One reload; a failure is logged, the server goes on with the models it had. */
  private static void reload(PfgmServer server) {
    if (server == null) {
      LOG.info("SIGHUP ignored: the server is still starting (it reads the models folder now)");
      return;
    }
    try {
      LOG.info("SIGHUP: reloading the models folder");
      server.reload();
    } catch (Exception e) {
      LOG.log(
          Level.SEVERE, "reload failed: " + e.getMessage(), e instanceof IOException ? null : e);
    }
  }
}
