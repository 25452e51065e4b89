package dev.pfgm.server.engine;

/** Base of the engine's failures; the transport maps each subclass to one gRPC status. */
public abstract class EngineException extends RuntimeException {
  protected EngineException(String message) {
    super(message);
  }

  protected EngineException(String message, Throwable cause) {
    super(message, cause);
  }
}
