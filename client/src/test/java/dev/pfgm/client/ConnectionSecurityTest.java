package dev.pfgm.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GeneratorGrpcService;
import dev.pfgm.proto.v1.ListModelsResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the client puts on the wire for --token and --tls, against a stub Generator service that
 * records the request metadata (the real server's side of both is built elsewhere).
 */
class ConnectionSecurityTest {

  private final Vertx vertx = Vertx.vertx();
  private final AtomicReference<String> authorization = new AtomicReference<>();

  @TempDir Path dir;

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private int stub(HttpServerOptions options) throws Exception {
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.callHandler(
        GeneratorGrpcService.ListModels,
        req -> {
          authorization.set(req.headers().get("authorization"));
          req.handler(
              m ->
                  req.response()
                      .end(ListModelsResponse.newBuilder().setDefaultModel("stub").build()));
        });
    HttpServer http =
        vertx
            .createHttpServer(options)
            .requestHandler(grpc)
            .listen(0)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return http.actualPort();
  }

  private static String defaultModel(ClientOptions options) throws Exception {
    try (GeneratorClient client = GeneratorClient.create(options)) {
      return client
          .listModels()
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS)
          .getDefaultModel();
    }
  }

  @Test
  void tokenIsSentAsBearerAuthorizationMetadata() throws Exception {
    int port = stub(new HttpServerOptions());
    assertEquals(
        "stub",
        defaultModel(ClientOptions.defaults().withPort(port).withToken(Optional.of("s3cret"))));
    assertEquals("Bearer s3cret", authorization.get());
  }

  @Test
  void noTokenSendsNoAuthorization() throws Exception {
    int port = stub(new HttpServerOptions());
    defaultModel(ClientOptions.defaults().withPort(port));
    assertNull(authorization.get());
  }

  /**
   * A TLS stub with a keytool-made certificate; its CA (the certificate itself) is written to
   * ca.pem.
   */
  private int tlsStub() throws Exception {
    Path keystore = dir.resolve("server.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "EC",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=dns:localhost",
        "-validity",
        "2",
        "-keystore",
        keystore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "changeit");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "server",
        "-keystore",
        keystore.toString(),
        "-storepass",
        "changeit",
        "-file",
        dir.resolve("ca.pem").toString());
    return stub(
        new HttpServerOptions()
            .setSsl(true)
            .setUseAlpn(true)
            .setKeyCertOptions(
                new PfxOptions().setPath(keystore.toString()).setPassword("changeit")));
  }

  @Test
  void tlsConnectsWhenTheServersCertificateIsTrustedThroughCaCert() throws Exception {
    int port = tlsStub();
    Path ca = dir.resolve("ca.pem");

    ClientOptions options =
        ClientOptions.defaults()
            .withTarget("localhost:" + port)
            .withTls(true, Optional.of(ca))
            .withToken(Optional.of("t"));
    assertEquals("stub", defaultModel(options));
    assertEquals("Bearer t", authorization.get());
  }

  @Test
  void aPlaintextClientAgainstATlsServerIsToldToTryTls() throws Exception {
    int port = tlsStub();
    try (GeneratorClient client = GeneratorClient.create(ClientOptions.defaults().withPort(port))) {
      CallFailed listed = failure(client.listModels());
      assertEquals(GrpcStatus.UNAVAILABLE, listed.status(), listed.getMessage());
      assertTrue(listed.getMessage().endsWith(ConnectionHints.TLS_HINT), listed.getMessage());
      CallFailed generated =
          failure(client.generate(GenerateRequest.getDefaultInstance(), null, e -> {}).result());
      assertEquals(GrpcStatus.UNAVAILABLE, generated.status(), generated.getMessage());
      assertTrue(generated.getMessage().endsWith(ConnectionHints.TLS_HINT), generated.getMessage());
    }
  }

  @Test
  void aRefusedConnectionGetsNoTlsHint() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (GeneratorClient client = GeneratorClient.create(ClientOptions.defaults().withPort(port))) {
      CallFailed refused = failure(client.listModels());
      assertEquals(GrpcStatus.UNAVAILABLE, refused.status());
      assertFalse(refused.getMessage().contains("TLS"), refused.getMessage());
    }
  }

  private static CallFailed failure(Future<?> call) throws Exception {
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> call.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    return assertInstanceOf(CallFailed.class, e.getCause());
  }

  @Test
  void targetParsesHostAndPort() {
    ClientOptions o = ClientOptions.defaults().withTarget("example.org:7000");
    assertEquals(List.of("example.org", 7000), List.of(o.host(), o.port()));
    assertEquals(
        ClientOptions.DEFAULT_PORT, ClientOptions.defaults().withTarget("example.org").port());
    assertEquals("::1", ClientOptions.defaults().withTarget("[::1]:9").host());
  }

  private static void keytool(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("keytool failed: " + out);
    }
  }
}
