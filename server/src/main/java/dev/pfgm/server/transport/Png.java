package dev.pfgm.server.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.Adler32;
import java.util.zip.CRC32;

/**
 * An 8-bit grayscale or RGB PNG writer for preview frames (PNG spec, ISO/IEC 15948): one IHDR, one
 * IDAT, IEND; filter type 0 on every row, and the zlib stream made of deflate stored (uncompressed)
 * blocks (RFC 1950/1951). Previews are written on the engine's critical path once per step:
 * compressing a 28x28 frame saved a few hundred bytes but cost more of the step than the rest of
 * the frame (measured in docs/benchmarks.md); stored blocks are a copy and two checksums.
 */
final class Png {

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final int MAX_STORED_BLOCK = 65_535;

  private Png() {}

  /**
   * @param pixels [H][W][channels] interleaved 8-bit samples
   * @param channels 1 (grayscale) or 3 (RGB)
   */
  static byte[] encode(byte[] pixels, int width, int height, int channels) {
    int stride = width * channels;
    // Each scanline starts with its filter type byte (0 = None).
    byte[] raw = new byte[height * (stride + 1)];
    for (int y = 0; y < height; y++) {
      System.arraycopy(pixels, y * stride, raw, y * (stride + 1) + 1, stride);
    }
    int blocks = Math.max(1, (raw.length + MAX_STORED_BLOCK - 1) / MAX_STORED_BLOCK);
    int idatLength = 2 + 5 * blocks + raw.length + 4;
    ByteBuffer out = ByteBuffer.allocate(SIGNATURE.length + (12 + 13) + (12 + idatLength) + 12);
    out.put(SIGNATURE);
    int ihdr = begin(out, "IHDR");
    out.putInt(width)
        .putInt(height)
        .put((byte) 8) // bit depth
        .put((byte) (channels == 1 ? 0 : 2)) // colour type: grayscale or truecolour
        .put((byte) 0)
        .put((byte) 0)
        .put((byte) 0); // deflate, adaptive filtering, no interlace
    end(out, ihdr);
    int idat = begin(out, "IDAT");
    out.put((byte) 0x78).put((byte) 0x01); // zlib: deflate, 32 KiB window, no preset dictionary
    for (int from = 0, b = 0; b < blocks; b++, from += MAX_STORED_BLOCK) {
      int len = Math.min(MAX_STORED_BLOCK, raw.length - from);
      out.put((byte) (b == blocks - 1 ? 1 : 0)); // BFINAL on the last block, BTYPE 00 (stored)
      out.put((byte) len).put((byte) (len >>> 8)); // LEN, little-endian
      out.put((byte) ~len).put((byte) (~len >>> 8)); // NLEN
      out.put(raw, from, len);
    }
    Adler32 adler = new Adler32();
    adler.update(raw);
    out.putInt((int) adler.getValue());
    end(out, idat);
    end(out, begin(out, "IEND"));
    return out.array();
  }

  /** Writes a chunk's length placeholder and type; returns where the type starts. */
  private static int begin(ByteBuffer out, String type) {
    out.putInt(0);
    int start = out.position();
    out.put(type.getBytes(StandardCharsets.US_ASCII));
    return start;
  }

  /** Fills in the length of the chunk whose type starts at {@code start} and appends its CRC. */
  private static void end(ByteBuffer out, int start) {
    int dataLength = out.position() - start - 4;
    out.putInt(start - 4, dataLength);
    CRC32 crc = new CRC32();
    crc.update(out.array(), start, out.position() - start);
    out.putInt((int) crc.getValue());
  }
}
