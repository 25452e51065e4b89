package dev.pfgm.server.engine;

/** An adaptive solve needed more trial steps than its limit (tolerance too tight for the field). */
public final class SolveLimitReached extends EngineException {
  public SolveLimitReached(String message) {
    super(message);
  }
}
