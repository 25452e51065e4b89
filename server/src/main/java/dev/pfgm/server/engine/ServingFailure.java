package dev.pfgm.server.engine;

/**
 * Serving a job failed outside the network (e.g. building its events): that job ends, others go on.
 */
public final class ServingFailure extends EngineException {
  public ServingFailure(String message) {
    super(message);
  }

  public ServingFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
