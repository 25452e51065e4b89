package dev.pfgm.server.transport;

/** The server does not take new streams now (starting or draining). */
public final class Unavailable extends RuntimeException {
  public Unavailable(String message) {
    super(message);
  }
}
