package dev.pfgm.client.cli;

import dev.pfgm.client.ClientOptions;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where the server is and how to authenticate: shared by every command. */
final class ConnectionOptions {

  @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = "localhost:50051",
      description = "Server address (default: ${DEFAULT-VALUE}).")
  String target;

  @Option(names = "--tls", description = "Connect with TLS (HTTP/2 over TLS).")
  boolean tls;

  @Option(names = "--ca-cert", paramLabel = "FILE",
      description = "PEM CA certificate to trust for --tls (default: the JVM's trust store).")
  Path caCert;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "Bearer token, sent as metadata 'authorization: Bearer TOKEN'.")
  String token;

  ClientOptions toClientOptions() {
    return ClientOptions.defaults()
        .withTarget(target)
        .withTls(tls || caCert != null, Optional.ofNullable(caCert))
        .withToken(Optional.ofNullable(token));
  }
}
