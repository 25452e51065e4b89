package dev.pfgm.client;

import dev.pfgm.server.app.ConfigKey;
import dev.pfgm.server.app.PfgmServer;
import dev.pfgm.server.app.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real pfgm-serve on a free port with the shipped models, started once for the whole test run
 * (kept in the root store, closed by JUnit at the end). Inject it as a test parameter.
 */
public final class TestServer implements ParameterResolver {

  /** The shipped models (client/ is the working directory of its tests). */
  static final Path MODELS_DIR = Path.of(System.getProperty("pfgm.models.dir", "../models"));

  public static final String MODEL = "mnist-exact-d128";

  /** The server, owned by JUnit's root store. */
  public record Running(PfgmServer server) implements AutoCloseable {
    public int port() {
      return server.port();
    }

    public ClientOptions clientOptions() {
      return ClientOptions.defaults().withPort(port());
    }

    public String target() {
      return "localhost:" + port();
    }

    /** Waits until the model's engine holds no rows; fails after the timeout. */
    public void awaitIdle(Duration timeout) throws InterruptedException {
      IntSupplier rows = () -> server.engines(MODEL).stream().mapToInt(e -> e.load()).sum();
      long end = System.nanoTime() + timeout.toNanos();
      while (rows.getAsInt() != 0) {
        if (System.nanoTime() > end) {
          throw new AssertionError(
              "engine still holds " + rows.getAsInt() + " rows after " + timeout);
        }
        Thread.sleep(20);
      }
    }

    @Override
    public void close() throws Exception {
      server.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
    return p.getParameter().getType() == Running.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext c) {
    return c.getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(Running.class, k -> start(), Running.class);
  }

  private static Running start() {
    return start(config -> config);
  }

  /** A server of its own (the caller closes it), configured beyond the shared one's defaults. */
  public static Running start(UnaryOperator<ServerConfig.Builder> configure) {
    Path models = MODELS_DIR;
    try {
      return new Running(
          PfgmServer.start(
              configure
                  .apply(
                      ServerConfig.builder()
                          .set(ConfigKey.PORT, 0)
                          .set(ConfigKey.METRICS_PORT, 0)
                          .set(ConfigKey.MODELS, models))
                  .build()));
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot start a test server on " + models.toAbsolutePath(), e);
    }
  }
}
