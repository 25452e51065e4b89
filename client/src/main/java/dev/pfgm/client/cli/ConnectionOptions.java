package dev.pfgm.client.cli;

import dev.pfgm.client.ClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Where the server is and how to authenticate: options of the top command that every subcommand
 * inherits, so they may stand before or after the subcommand's name. The target and the token also
 * come from the environment (a token on the command line shows in {@code ps}); an option given on
 * the command line wins.
 */
final class ConnectionOptions {

  static final String TARGET_ENV = "PFGM_TARGET";
  static final String TOKEN_ENV = "PFGM_TOKEN";
  static final String DEFAULT_TARGET = "localhost:" + ClientOptions.DEFAULT_PORT;

  @Option(
      names = "--target",
      paramLabel = "HOST:PORT",
      scope = ScopeType.INHERIT,
      description = "Server address (default: $" + TARGET_ENV + ", else " + DEFAULT_TARGET + ").")
  String target;

  @Option(
      names = "--tls",
      scope = ScopeType.INHERIT,
      description = "Connect with TLS (HTTP/2 over TLS).")
  boolean tls;

  @Option(
      names = "--ca-cert",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description =
          "PEM CA certificate to trust for TLS (implies --tls; default: the JVM's trust store).")
  Path caCert;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      scope = ScopeType.INHERIT,
      description =
          "Bearer token, sent as metadata 'authorization: Bearer TOKEN' (default: $"
              + TOKEN_ENV
              + ").")
  String token;

  /**
   * The client options from the command line, else the environment.
   *
   * @throws IllegalArgumentException naming the option or variable, the rule and the value
   */
  ClientOptions toClientOptions(Map<String, String> env) {
    String targetFrom =
        target != null ? "--target" : present(env, TARGET_ENV) ? TARGET_ENV : "the default target";
    String t =
        target != null ? target : present(env, TARGET_ENV) ? env.get(TARGET_ENV) : DEFAULT_TARGET;
    String tokenFrom = token != null ? "--token" : TOKEN_ENV;
    String k = token != null ? token : present(env, TOKEN_ENV) ? env.get(TOKEN_ENV) : null;
    if (caCert != null && !Files.isReadable(caCert)) {
      throw new IllegalArgumentException(
          "--ca-cert must be a readable PEM file, was '" + caCert + "'");
    }
    ClientOptions options;
    try {
      options = ClientOptions.defaults().withTarget(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(targetFrom + ": " + e.getMessage(), e);
    }
    try {
      options = options.withToken(Optional.ofNullable(k));
    } catch (IllegalArgumentException e) {
      // The token's value is a secret: the message names the rule, never the value.
      throw new IllegalArgumentException(tokenFrom + ": " + e.getMessage(), e);
    }
    return options.withTls(tls || caCert != null, Optional.ofNullable(caCert));
  }

  private static boolean present(Map<String, String> env, String name) {
    String v = env.get(name);
    return v != null && !v.isBlank();
  }
}
