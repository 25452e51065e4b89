package dev.pfgm.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.ListModelsResponse;
import dev.pfgm.server.it.GrpcTestClient;
import dev.pfgm.server.it.ServerFixture;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The browser page on the gRPC port, over TLS with bearer tokens on, in HTTP/1.1 and HTTP/2: the
 * page's files need no token; a gRPC-Web call reaches the Generator service and still needs one.
 * (The page itself is driven in Chromium by server/src/main/web/test, from scripts/test.sh.)
 */
@ExtendWith(VertxExtension.class)
class WebPageTest {

  private static final String TOKEN = "web-page-token-0123456789";
  private static SelfSignedCertificate cert;
  private static PfgmServer server;
  private static Vertx vertx;

  /** The extension's Vert.x, closed by it after the class's tests. */
  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    Assumptions.assumeFalse(
        Boolean.getBoolean("pfgm.web.skip"), "the build skipped the page (-Dweb.skip=true)");
    WebPageTest.vertx = vertx;
    cert = SelfSignedCertificate.create("localhost");
    server =
        PfgmServer.start(
            ServerConfig.builder()
                .set(ConfigKey.MODELS, ServerFixture.MODELS)
                .set(ConfigKey.PORT, 0)
                .set(ConfigKey.METRICS_PORT, 0)
                .set(ConfigKey.TLS_CERT, Path.of(cert.certificatePath()))
                .set(ConfigKey.TLS_KEY, Path.of(cert.privateKeyPath()))
                .set(ConfigKey.AUTH_TOKENS, TOKEN)
                .build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
      cert.delete();
    }
  }

  private record Answer(int status, MultiMap headers, Buffer body, HttpVersion version) {}

  private static Answer call(
      HttpVersion version, HttpMethod method, String path, Map<String, String> headers, Buffer body)
      throws Exception {
    HttpClient client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setSsl(true)
                .setTrustOptions(cert.trustOptions())
                .setProtocolVersion(version)
                .setUseAlpn(version == HttpVersion.HTTP_2));
    try {
      return client
          .request(
              new RequestOptions()
                  .setMethod(method)
                  .setHost("localhost")
                  .setPort(server.port())
                  .setURI(path))
          .compose(
              req -> {
                headers.forEach(req::putHeader);
                // The body is asked for before the request goes (see RawGrpc#exchange).
                Future<Answer> answer =
                    req.response()
                        .compose(
                            resp ->
                                resp.body()
                                    .map(
                                        b ->
                                            new Answer(
                                                resp.statusCode(),
                                                resp.headers(),
                                                b,
                                                resp.version())));
                req.end(body);
                return answer;
              })
          .toCompletionStage()
          .toCompletableFuture()
          .get(20, TimeUnit.SECONDS);
    } finally {
      client.close();
    }
  }

  private static Answer get(HttpVersion version, String path, Map<String, String> headers)
      throws Exception {
    return call(version, HttpMethod.GET, path, headers, Buffer.buffer());
  }

  /** ListModels as a browser sends it: one gRPC-Web frame holding the empty request. */
  private static Answer listModels(HttpVersion version, Map<String, String> headers)
      throws Exception {
    Map<String, String> all = new java.util.HashMap<>(headers);
    all.put("content-type", "application/grpc-web+proto");
    all.put("x-grpc-web", "1");
    return call(
        version, HttpMethod.POST, "/pfgm.v1.Generator/ListModels", all, Buffer.buffer(new byte[5]));
  }

  @ParameterizedTest
  @EnumSource(
      value = HttpVersion.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void thePageAndItsFilesAreServedWithoutAToken(HttpVersion version) throws Exception {
    Answer page = get(version, "/", Map.of());
    assertEquals(200, page.status());
    assertEquals(version, page.version());
    assertEquals("text/html; charset=utf-8", page.headers().get("content-type"));
    assertTrue(page.body().toString().contains("src=\"web/app.js\""), page.body().toString());
    Answer script = get(version, "/web/app.js", Map.of());
    assertEquals(200, script.status());
    assertEquals("text/javascript; charset=utf-8", script.headers().get("content-type"));
    assertTrue(
        script.body().length() > 10_000, "the bundle holds the generated client and the page");
    assertEquals(404, get(version, "/web/no-such-file.js", Map.of()).status());
  }

  @ParameterizedTest
  @EnumSource(
      value = HttpVersion.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void anUnchangedFileIsAnsweredNotModified(HttpVersion version) throws Exception {
    Answer first = get(version, "/web/app.css", Map.of());
    String etag = first.headers().get("etag");
    Answer again = get(version, "/web/app.css", Map.of("if-none-match", etag));
    assertEquals(304, again.status());
    assertEquals(0, again.body().length());
  }

  @ParameterizedTest
  @EnumSource(
      value = HttpVersion.class,
      names = {"HTTP_1_1", "HTTP_2"})
  void grpcWebCallsReachTheGeneratorAndNeedTheToken(HttpVersion version) throws Exception {
    Answer refused = listModels(version, Map.of());
    assertEquals("16", refused.headers().get("grpc-status"), "UNAUTHENTICATED");

    Answer ok = listModels(version, Map.of("authorization", "Bearer " + TOKEN));
    assertEquals(200, ok.status());
    assertTrue(
        ok.headers().get("content-type").matches("application/grpc-web(\\+proto)?"),
        ok.headers().get("content-type"));
    Buffer body = ok.body();
    // A data frame (flag 0x00) with the message, then a trailers frame (flag 0x80).
    assertEquals(0x00, body.getByte(0));
    int length = body.getInt(1);
    ListModelsResponse models = ListModelsResponse.parseFrom(body.getBytes(5, 5 + length));
    assertEquals(GrpcTestClient.MODEL, models.getModels(0).getId());
    assertEquals(shippedModels(), models.getModelsCount());
    assertEquals((byte) 0x80, body.getByte(5 + length));
    String trailers =
        new String(body.getBytes(10 + length, body.length()), StandardCharsets.US_ASCII);
    assertTrue(trailers.contains("grpc-status:0"), trailers);
  }

  /** The model folders the server was given: every one of them is listed. */
  private static long shippedModels() throws IOException {
    try (Stream<Path> dirs = Files.list(ServerFixture.MODELS)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("model.json"))).count();
    }
  }
}
