package dev.pfgm.server.engine;

/**
 * No engine that serves the job's model is left to run it (in a cluster: every worker of the model
 * has gone); a client may retry once one is back.
 */
public final class EnginesGone extends EngineException {
  public EnginesGone(String message) {
    super(message);
  }
}
