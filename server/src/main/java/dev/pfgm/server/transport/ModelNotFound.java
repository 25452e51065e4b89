package dev.pfgm.server.transport;

/** The request names a model this server does not serve. */
public final class ModelNotFound extends RuntimeException {
  public ModelNotFound(String message) {
    super(message);
  }
}
