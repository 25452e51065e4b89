package dev.pfgm.server.transport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * An 8-bit grayscale or RGB PNG writer for preview frames (PNG spec, ISO/IEC 15948): one IHDR,
 * one zlib IDAT with filter type 0 on every row, IEND. Previews are written on the hot path, where
 * ImageIO's general writer costs several times more per 28x28 frame.
 */
final class Png {

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final ThreadLocal<Deflater> DEFLATER =
      ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED));

  private Png() {}

  /**
   * @param pixels   [H][W][channels] interleaved 8-bit samples
   * @param channels 1 (grayscale) or 3 (RGB)
   */
  static byte[] encode(byte[] pixels, int width, int height, int channels) {
    int stride = width * channels;
    // Each scanline starts with its filter type byte (0 = None).
    byte[] raw = new byte[height * (stride + 1)];
    for (int y = 0; y < height; y++) {
      System.arraycopy(pixels, y * stride, raw, y * (stride + 1) + 1, stride);
    }
    Deflater deflater = DEFLATER.get();
    deflater.reset();
    deflater.setInput(raw);
    deflater.finish();
    ByteArrayOutputStream idat = new ByteArrayOutputStream(raw.length / 2 + 64);
    byte[] chunk = new byte[4096];
    while (!deflater.finished()) {
      idat.write(chunk, 0, deflater.deflate(chunk));
    }
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
        .put((byte) 8) // bit depth
        .put((byte) (channels == 1 ? 0 : 2)) // colour type: grayscale or truecolour
        .put((byte) 0).put((byte) 0).put((byte) 0); // deflate, adaptive filtering, no interlace
    ByteArrayOutputStream out = new ByteArrayOutputStream(idat.size() + 64);
    out.writeBytes(SIGNATURE);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", idat.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
