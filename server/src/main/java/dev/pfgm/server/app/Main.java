package dev.pfgm.server.app;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * Starts pfgm-serve. With no arguments: port 50051, the models in ./models, CPU.
 * Options: --port=N, --models=DIR, --device=cpu|cuda|cuda:N, --default-model=ID.
 */
public final class Main {

  private static final Logger LOG = Logger.getLogger(Main.class.getName());

  private Main() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
    ServerConfig config = Args.parse(args);
    PfgmServer server = PfgmServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        LOG.warning("shutdown: " + e);
      }
      stopped.countDown();
    }, "pfgm-shutdown"));
    stopped.await();
  }
}
