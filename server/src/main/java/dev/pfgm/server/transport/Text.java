package dev.pfgm.server.transport;

/**
 * Client-supplied text echoed in status messages, kept short (a status travels in an HTTP/2
 * header).
 */
final class Text {

  static final int MAX_ECHO = 64;
  static final int MAX_STATUS_MESSAGE = 1024;

  private Text() {}

  /** {@code s}, or its first {@link #MAX_ECHO} characters and how long it was. */
  static String clip(String s) {
    return clip(s, MAX_ECHO);
  }

  static String clip(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    return s.substring(0, max) + "... (" + s.length() + " characters)";
  }
}
