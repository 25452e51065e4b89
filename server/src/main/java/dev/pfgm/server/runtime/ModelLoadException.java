package dev.pfgm.server.runtime;

/** A model folder that cannot be served; the message names the file and the problem. */
public final class ModelLoadException extends Exception {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
