package dev.pfgm.server.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The 64 digits the exact-field models are built from (models/data/mnist64.npy, uint8
 * [64,1,28,28]).
 */
final class MnistSubset {

  static final int N = 784;

  private MnistSubset() {}

  /** [64][784] in data scale x = p / 127.5 - 1. */
  static double[][] load(Path modelsDir) throws IOException {
    byte[] npy = Files.readAllBytes(modelsDir.resolve("data/mnist64.npy"));
    ByteBuffer b = ByteBuffer.wrap(npy);
    int headerLen = Short.toUnsignedInt(Short.reverseBytes(b.getShort(8)));
    String header = new String(npy, 10, headerLen);
    if (!header.contains("'|u1'") || !header.contains("(64, 1, 28, 28)")) {
      throw new IOException("unexpected npy header " + header);
    }
    double[][] y = new double[64][N];
    for (int i = 0; i < 64; i++) {
      for (int k = 0; k < N; k++) {
        y[i][k] = Byte.toUnsignedInt(npy[10 + headerLen + i * N + k]) / 127.5 - 1;
      }
    }
    return y;
  }
}
