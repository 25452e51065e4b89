package dev.pfgm.client;

import io.vertx.grpc.client.GrpcClientResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The grpc-message of a response: in the trailers after a stream, in the headers of a trailers-only
 * response. Vert.x 5.0.7's {@code statusMessage()} reads the headers only, so a status that ends a
 * stream lost its message; and it decodes '+' as a space, which gRPC's percent-encoding does not.
 */
final class StatusMessages {

  private static final String GRPC_MESSAGE = "grpc-message";

  private StatusMessages() {}

  /** The decoded message; null when the server sent none. */
  static String of(GrpcClientResponse<?, ?> response) {
    String raw = response.trailers() == null ? null : response.trailers().get(GRPC_MESSAGE);
    if (raw == null) {
      raw = response.headers().get(GRPC_MESSAGE);
    }
    return raw == null ? null : decode(raw);
  }

  /**
   * gRPC's percent-decoding: runs of %XX are UTF-8 bytes; every other character stands for itself.
   */
  static String decode(String raw) {
    StringBuilder out = new StringBuilder(raw.length());
    int i = 0;
    while (i < raw.length()) {
      if (!escapeAt(raw, i)) {
        out.append(raw.charAt(i++));
        continue;
      }
      ByteArrayOutputStream run = new ByteArrayOutputStream();
      while (escapeAt(raw, i)) {
        run.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
        i += 3;
      }
      out.append(run.toString(StandardCharsets.UTF_8));
    }
    return out.toString();
  }

  private static boolean escapeAt(String s, int i) {
    return i + 2 < s.length()
        && s.charAt(i) == '%'
        && Character.digit(s.charAt(i + 1), 16) >= 0
        && Character.digit(s.charAt(i + 2), 16) >= 0;
  }
}
