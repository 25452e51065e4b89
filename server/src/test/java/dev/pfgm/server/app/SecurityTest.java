package dev.pfgm.server.app;

import static dev.pfgm.server.it.GrpcTestClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.server.it.GrpcTestClient;
import dev.pfgm.server.it.ServerFixture;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** TLS with a certificate made at test time, bearer tokens, and mTLS. No key is committed. */
@ExtendWith(VertxExtension.class)
class SecurityTest {

  private static final String TOKEN = "test-token-0123456789abcdef";
  private static SelfSignedCertificate serverCert;
  private static SelfSignedCertificate clientCert;
  private static PfgmServer server;

  @BeforeAll
  static void start() throws Exception {
    serverCert = SelfSignedCertificate.create("localhost");
    clientCert = SelfSignedCertificate.create("pfgm-test-client");
    server =
        PfgmServer.start(
            base()
                .set(ConfigKey.TLS_CERT, Path.of(serverCert.certificatePath()))
                .set(ConfigKey.TLS_KEY, Path.of(serverCert.privateKeyPath()))
                .set(ConfigKey.AUTH_TOKENS, TOKEN + "," + "another-token-0123456789")
                .build());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    serverCert.delete();
    clientCert.delete();
  }

  private static ServerConfig.Builder base() {
    return ServerConfig.builder()
        .set(ConfigKey.MODELS, ServerFixture.MODELS)
        .set(ConfigKey.PORT, 0)
        .set(ConfigKey.METRICS_PORT, 0);
  }

  private static HttpClientOptions tls() {
    return new HttpClientOptions()
        .setSsl(true)
        .setUseAlpn(true)
        .setTrustOptions(serverCert.trustOptions());
  }

  private static Future<GrpcTestClient.Result> start(
      GrpcTestClient client, Map<String, String> metadata) {
    return client.start(GrpcTestClient.request(2, 4), metadata, e -> {});
  }

  private static GrpcTestClient.Result generate(
      GrpcTestClient client, Map<String, String> metadata) {
    return await(start(client, metadata), 60);
  }

  @Test
  void theRightTokenOverTlsGenerates() throws Exception {
    try (GrpcTestClient client = new GrpcTestClient(server.port(), tls())) {
      GrpcTestClient.Result r = generate(client, Map.of("authorization", "Bearer " + TOKEN));
      assertEquals(GrpcStatus.OK, r.status(), r.message());
      assertTrue(r.completed());
    }
  }

  @Test
  void aMissingTokenIsUnauthenticated() throws Exception {
    try (GrpcTestClient client = new GrpcTestClient(server.port(), tls())) {
      assertEquals(GrpcStatus.UNAUTHENTICATED, generate(client, Map.of()).status());
      assertEquals(
          GrpcStatus.UNAUTHENTICATED,
          generate(client, Map.of("authorization", "Basic dXNlcjpwYXNz")).status());
    }
  }

  @Test
  void aWrongTokenIsPermissionDenied() throws Exception {
    try (GrpcTestClient client = new GrpcTestClient(server.port(), tls())) {
      GrpcTestClient.Result r =
          generate(client, Map.of("authorization", "Bearer not-the-token-0123456789"));
      assertEquals(GrpcStatus.PERMISSION_DENIED, r.status());
      assertEquals("bearer token not accepted", r.message());
    }
  }

  @Test
  void healthNeedsNoToken() throws Exception {
    try (GrpcTestClient client = new GrpcTestClient(server.port(), tls())) {
      assertEquals(ServingStatus.SERVING, await(client.health("pfgm.v1.Generator"), 10));
    }
  }

  @Test
  void plaintextIsRefusedOnATlsPort(VertxTestContext ctx) throws Exception {
    try (GrpcTestClient client = new GrpcTestClient(server.port())) {
      start(client, Map.of("authorization", "Bearer " + TOKEN))
          .onComplete(ctx.failingThenComplete());
      assertTrue(ctx.awaitCompletion(60, TimeUnit.SECONDS));
    }
  }

  @Test
  void mutualTlsNeedsAClientCertificateSignedByTheConfiguredCa(VertxTestContext ctx)
      throws Exception {
    PfgmServer mtls =
        PfgmServer.start(
            base()
                .set(ConfigKey.TLS_CERT, Path.of(serverCert.certificatePath()))
                .set(ConfigKey.TLS_KEY, Path.of(serverCert.privateKeyPath()))
                .set(ConfigKey.TLS_CLIENT_CA, Path.of(clientCert.certificatePath()))
                .build());
    try (GrpcTestClient anonymous = new GrpcTestClient(mtls.port(), tls());
        GrpcTestClient known =
            new GrpcTestClient(mtls.port(), tls().setKeyCertOptions(clientCert.keyCertOptions()))) {
      Checkpoint refusedAndServed = ctx.checkpoint(2);
      start(anonymous, Map.of()).onComplete(ctx.failing(e -> refusedAndServed.flag()));
      start(known, Map.of())
          .onComplete(
              ctx.succeeding(
                  r ->
                      ctx.verify(
                          () -> {
                            assertEquals(GrpcStatus.OK, r.status(), r.message());
                            refusedAndServed.flag();
                          })));
      assertTrue(ctx.awaitCompletion(60, TimeUnit.SECONDS));
    } finally {
      mtls.close();
    }
  }
}
