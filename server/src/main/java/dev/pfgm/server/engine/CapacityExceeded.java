package dev.pfgm.server.engine;

/** Admission refused: the engine's active and queued rows are at their limits. */
public final class CapacityExceeded extends EngineException {
  public CapacityExceeded(String message) {
    super(message);
  }
}
