package dev.pfgm.server.app;

import java.nio.file.Path;

/**
 * PEM files for TLS on the gRPC port.
 *
 * @param cert certificate chain
 * @param key private key of the certificate
 * @param clientCa CA certificates that client certificates must chain to (mTLS), or null
 */
public record TlsFiles(Path cert, Path key, Path clientCa) {

  public TlsFiles {
    if (cert == null || key == null) {
      throw new IllegalArgumentException("TLS needs both a certificate and a key");
    }
  }

  public boolean mutual() {
    return clientCa != null;
  }
}
