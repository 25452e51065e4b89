package dev.pfgm.server.transport;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The browser page (built from server/src/main/web into the jar's {@code web/} folder): a GET or
 * HEAD of {@code /} or of a file under {@code /web/} is answered from memory; every other request
 * goes on to {@code next}, the gRPC server (gRPC and gRPC-Web), behind the token check when tokens
 * are on. The page holds no secret, so it is served without a token; its calls carry the token its
 * user types.
 */
public final class WebPage implements Handler<HttpServerRequest> {

  /** Classpath folder of the built page. */
  static final String ROOT = "web";

  /** URL prefix of the page's files; "/" is {@code web/index.html}. */
  static final String PREFIX = "/web/";

  // Same-origin only: the bundle, its stylesheet, canvases turned into PNG blobs, fetch to this
  // server.
  private static final String POLICY =
      "default-src 'self'; img-src 'self' blob: data:; object-src 'none';"
          + " base-uri 'none'; frame-ancestors 'none'";

  private record Asset(Buffer body, String contentType, String etag) {}

  private final Map<String, Asset> assets; // request path → file
  private final Handler<HttpServerRequest> next;

  /**
   * Serves the page found on the classpath (none when the build left it out) in front of {@code
   * next}.
   */
  public WebPage(Handler<HttpServerRequest> next) {
    this.assets = load();
    this.next = next;
  }

  @Override
  public void handle(HttpServerRequest request) {
    String path = request.path();
    boolean page = path.equals("/") || path.startsWith(PREFIX);
    if (!page || !(request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD)) {
      next.handle(request);
      return;
    }
    HttpServerResponse response = request.response();
    Asset asset = assets.get(path);
    if (asset == null) {
      response
          .setStatusCode(404)
          .putHeader("content-type", "text/plain; charset=utf-8")
          .end(
              assets.isEmpty()
                  ? "this build has no browser page (server/src/main/web was not built)\n"
                  : "no such file: " + Text.clip(path) + "\n");
      return;
    }
    response
        .putHeader("cache-control", "no-cache")
        .putHeader("etag", asset.etag())
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("content-security-policy", POLICY);
    if (asset.etag().equals(request.getHeader("if-none-match"))) {
      response.setStatusCode(304).end();
    } else if (request.method() == HttpMethod.HEAD) {
      response
          .putHeader("content-type", asset.contentType())
          .putHeader("content-length", Integer.toString(asset.body().length()))
          .end();
    } else {
      response.putHeader("content-type", asset.contentType()).end(asset.body());
    }
  }

  /** Every file under the classpath folder {@value #ROOT}, from a directory (tests) or the jar. */
  private static Map<String, Asset> load() {
    URL index = WebPage.class.getClassLoader().getResource(ROOT + "/index.html");
    if (index == null) {
      return Map.of();
    }
    try {
      URI uri = index.toURI();
      if (!uri.getScheme().equals("jar")) {
        return read(Path.of(uri).getParent());
      }
      try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
        return read(jar.getPath(ROOT));
      } catch (FileSystemAlreadyExistsException e) {
        return read(FileSystems.getFileSystem(uri).getPath(ROOT));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the browser page from " + index, e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot read the browser page from " + index, e);
    }
  }

  private static Map<String, Asset> read(Path root) throws IOException {
    Map<String, Asset> out = new HashMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        String name = root.relativize(file).toString().replace('\\', '/');
        byte[] bytes = Files.readAllBytes(file);
        Asset asset = new Asset(Buffer.buffer(bytes), contentType(name), etag(bytes));
        out.put(PREFIX + name, asset);
        if (name.equals("index.html")) {
          out.put("/", asset);
        }
      }
    }
    return Map.copyOf(out);
  }

  static String contentType(String name) {
    String ext = name.substring(name.lastIndexOf('.') + 1);
    return switch (ext) {
      case "html" -> "text/html; charset=utf-8";
      case "js" -> "text/javascript; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "json" -> "application/json";
      case "svg" -> "image/svg+xml";
      case "png" -> "image/png";
      default -> "application/octet-stream";
    };
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return '"' + HexFormat.of().formatHex(digest, 0, 12) + '"';
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
