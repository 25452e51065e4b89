package dev.pfgm.server.transport;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The id that ties a stream's log lines to its client: the client's {@code x-request-id} when it
 * sends a usable one (up to 64 of [A-Za-z0-9._:-]), else a fresh 16-hex-digit id. Echoed in the
 * response's {@code x-request-id} header.
 */
final class RequestIds {

  static final String HEADER = "x-request-id";
  private static final int MAX = 64;

  private RequestIds() {}

  static String of(String fromClient) {
    if (fromClient != null
        && !fromClient.isEmpty()
        && fromClient.length() <= MAX
        && fromClient.chars().allMatch(RequestIds::allowed)) {
      return fromClient;
    }
    return String.format("%016x", ThreadLocalRandom.current().nextLong());
  }

  private static boolean allowed(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == ':'
        || c == '-';
  }
}
