package dev.pfgm.server.it;

import dev.pfgm.proto.v1.Tensor;
import dev.pfgm.server.app.ConfigKey;
import dev.pfgm.server.app.PfgmServer;
import dev.pfgm.server.app.ServerConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** Starts servers on the shipped models and decodes what they stream (for the it and app tests). */
public final class ServerFixture {

  /** The shipped models (server/ is the working directory of its tests). */
  public static final Path MODELS = Path.of(System.getProperty("pfgm.models.dir", "../models"));

  private ServerFixture() {}

  static PfgmServer start() throws Exception {
    return PfgmServer.start(config());
  }

  static ServerConfig config() {
    return builder().build();
  }

  /** The shipped models on a free port of localhost, metrics off; more keys may be set. */
  public static ServerConfig.Builder builder() {
    return ServerConfig.builder()
        .set(ConfigKey.PORT, 0)
        .set(ConfigKey.METRICS_PORT, 0)
        .set(ConfigKey.MODELS, MODELS)
        .set(ConfigKey.HOST, "localhost");
  }

  /** Polls until the model's active rows are 0, or fails after 10 s. */
  static void awaitIdle(PfgmServer server, String model) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    while (server.activeRows(model) != 0) {
      if (System.nanoTime() > end) {
        throw new AssertionError("active rows stayed at " + server.activeRows(model));
      }
      Thread.sleep(10);
    }
  }

  /**
   * [rows][C*H*W] from a wire tensor: little-endian IEEE-754 float32, row-major. The tests' one
   * decoder.
   */
  public static float[][] rows(Tensor t) {
    int rows = t.getShape(0);
    int n = t.getData().size() / 4 / rows;
    ByteBuffer b = t.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    float[][] out = new float[rows][n];
    for (float[] row : out) {
      for (int k = 0; k < n; k++) {
        row[k] = b.getFloat();
      }
    }
    return out;
  }
}
