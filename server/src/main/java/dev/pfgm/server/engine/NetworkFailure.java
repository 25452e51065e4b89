package dev.pfgm.server.engine;

/** The field network failed or returned a non-finite value for a job's rows. */
public final class NetworkFailure extends EngineException {
  public NetworkFailure(String message) {
    super(message);
  }

  public NetworkFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
