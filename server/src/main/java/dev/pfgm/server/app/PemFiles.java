package dev.pfgm.server.app;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks at startup that TLS files are what Vert.x's PEM loader reads, so a DER file or a swapped
 * key and certificate is a configuration error naming the option, not a failed listen.
 */
final class PemFiles {

  /** The key blocks Vert.x 5 reads (KeyStoreHelper): PKCS#8, PKCS#1 RSA, SEC 1 EC. */
  private static final Set<String> KEY_TYPES =
      Set.of("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY");

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

  private record Block(String type, byte[] der) {}

  private PemFiles() {}

  /**
   * Whether the file holds at least one certificate and every certificate block parses as X.509.
   */
  static boolean certificates(Path file) {
    List<Block> certs = blocks(file).stream().filter(b -> b.type().equals("CERTIFICATE")).toList();
    if (certs.isEmpty()) {
      return false;
    }
    try {
      CertificateFactory x509 = CertificateFactory.getInstance("X.509");
      for (Block b : certs) {
        x509.generateCertificate(new ByteArrayInputStream(b.der()));
      }
      return true;
    } catch (CertificateException e) {
      return false;
    }
  }

  /** Whether the file holds a private key block of a type Vert.x reads. */
  static boolean privateKey(Path file) {
    return blocks(file).stream().anyMatch(b -> KEY_TYPES.contains(b.type()) && b.der().length > 0);
  }

  /** The well-formed PEM blocks of a file; a block whose base64 does not decode is left out. */
  private static List<Block> blocks(Path file) {
    String text;
    try {
      text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return List.of();
    }
    List<Block> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      try {
        out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException notBase64) {
        // Left out: Vert.x would fail on it too.
      }
    }
    return out;
  }
}
