package dev.pfgm.server.transport;

/** A request message over the server's size limit. */
public final class RequestTooLarge extends RuntimeException {
  public RequestTooLarge(String message) {
    super(message);
  }
}
