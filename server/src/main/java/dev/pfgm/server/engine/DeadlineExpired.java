package dev.pfgm.server.engine;

/** The job's deadline passed before its last step. */
public final class DeadlineExpired extends EngineException {
  public DeadlineExpired(String message) {
    super(message);
  }
}
