package dev.pfgm.server.transport;

/** A request field out of range; the message names the field and its limit. */
public final class InvalidArgument extends RuntimeException {
  public InvalidArgument(String message) {
    super(message);
  }
}
