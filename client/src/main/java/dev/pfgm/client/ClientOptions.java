package dev.pfgm.client;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How to reach a pfgm-serve server.
 *
 * @param host server host name or address
 * @param port server port
 * @param tls connect with TLS (HTTP/2 over TLS with ALPN)
 * @param caCert PEM file of the CA that signed the server's certificate; empty trusts the JVM's
 *     default trust store (only with {@code tls})
 * @param token bearer token sent as {@code authorization: Bearer <token>}; empty sends none
 * @param maxMessageBytes largest response message accepted
 */
public record ClientOptions(
    String host,
    int port,
    boolean tls,
    Optional<Path> caCert,
    Optional<String> token,
    long maxMessageBytes) {

  public static final String DEFAULT_HOST = "localhost";
  public static final int DEFAULT_PORT = 50051;

  /**
   * 64 MiB. Vert.x's default (256 KiB) is too small: a Step event with state and denoised tensors
   * for 64 samples of a 1x28x28 model is 64 * 784 * 4 B * 2 = 392 KiB, and of a 3x128x128 model 64
   * * 49152 * 4 B * 2 = 24 MiB, plus PNGs. The server caps its own responses (4 MiB by default), so
   * this only has to stay above any cap a server is configured with.
   */
  public static final long DEFAULT_MAX_MESSAGE_BYTES = 64L * 1024 * 1024;

  public static ClientOptions defaults() {
    return new ClientOptions(
        DEFAULT_HOST,
        DEFAULT_PORT,
        false,
        Optional.empty(),
        Optional.empty(),
        DEFAULT_MAX_MESSAGE_BYTES);
  }

  public ClientOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank, was '" + host + "'");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be in 1..65535, was " + port);
    }
    if (caCert.isPresent() && !tls) {
      throw new IllegalArgumentException(
          "caCert needs tls, was set to " + caCert.get() + " without tls");
    }
    if (token.isPresent()
        && (token.get().isBlank() || token.get().chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
      throw new IllegalArgumentException("token must be non-empty visible ASCII");
    }
    if (maxMessageBytes < 64 * 1024) {
      throw new IllegalArgumentException(
          "maxMessageBytes must be >= 65536, was " + maxMessageBytes);
    }
  }

  /** Parses "host:port", "host" (default port) or "[v6addr]:port". */
  public ClientOptions withTarget(String target) {
    String h = target;
    int p = DEFAULT_PORT;
    int colon = target.lastIndexOf(':');
    if (colon >= 0 && target.indexOf(']') < colon) {
      h = target.substring(0, colon);
      try {
        p = Integer.parseInt(target.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("target must be host:port, was '" + target + "'");
      }
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return new ClientOptions(h, p, tls, caCert, token, maxMessageBytes);
  }

  public ClientOptions withPort(int p) {
    return new ClientOptions(host, p, tls, caCert, token, maxMessageBytes);
  }

  public ClientOptions withTls(boolean on, Optional<Path> ca) {
    return new ClientOptions(host, port, on, ca, token, maxMessageBytes);
  }

  public ClientOptions withToken(Optional<String> t) {
    return new ClientOptions(host, port, tls, caCert, t, maxMessageBytes);
  }
}
