package dev.pfgm.server.app;

/**
 * A configuration value breaks its rule; the message names the key, the value, the rule and the
 * source.
 */
public final class ConfigException extends Exception {

  /** The process exit code for a configuration error (as for a usage error). */
  public static final int EXIT_CODE = 2;

  public ConfigException(String message) {
    super(message);
  }
}
