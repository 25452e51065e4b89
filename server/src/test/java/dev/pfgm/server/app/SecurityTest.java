package dev.pfgm.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS with a certificate made at test time, bearer tokens, and mTLS. No key is committed. */
class SecurityTest {

  private static final String TOKEN = "test-token-0123456789abcdef";
  private static SelfSignedCertificate serverCert;
  private static SelfSignedCertificate clientCert;
  private static PfgmServer server;

  @BeforeAll
  static void start() throws Exception {
    serverCert = SelfSignedCertificate.create("localhost");
    clientCert = SelfSignedCertificate.create("pfgm-test-client");
    server = PfgmServer.start(base()
        .withTls(new TlsFiles(Path.of(serverCert.certificatePath()), Path.of(serverCert.privateKeyPath()), null))
        .withAuthTokens(Set.of(TOKEN, "another-token-0123456789")));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    serverCert.delete();
    clientCert.delete();
  }

  private static ServerConfig base() {
    return ServerConfig.defaults().withModelsDir(TestClient.MODELS).withPort(0).withMetricsPort(0);
  }

  private static HttpClientOptions tls() {
    return new HttpClientOptions().setSsl(true).setUseAlpn(true).setTrustOptions(serverCert.trustOptions());
  }

  private static TestClient.Result generate(TestClient client, Map<String, String> metadata) throws Exception {
    return client.generate(TestClient.request(2, 4), metadata, e -> { }).get(60, TimeUnit.SECONDS);
  }

  @Test
  void theRightTokenOverTlsGenerates() throws Exception {
    try (TestClient client = new TestClient(server.port(), tls())) {
      TestClient.Result r = generate(client, Map.of("authorization", "Bearer " + TOKEN));
      assertEquals(GrpcStatus.OK, r.status(), r.message());
      assertTrue(r.completed());
    }
  }

  @Test
  void aMissingTokenIsUnauthenticated() throws Exception {
    try (TestClient client = new TestClient(server.port(), tls())) {
      assertEquals(GrpcStatus.UNAUTHENTICATED, generate(client, Map.of()).status());
      assertEquals(GrpcStatus.UNAUTHENTICATED, generate(client, Map.of("authorization", "Basic dXNlcjpwYXNz")).status());
    }
  }

  @Test
  void aWrongTokenIsPermissionDenied() throws Exception {
    try (TestClient client = new TestClient(server.port(), tls())) {
      TestClient.Result r = generate(client, Map.of("authorization", "Bearer not-the-token-0123456789"));
      assertEquals(GrpcStatus.PERMISSION_DENIED, r.status());
      assertEquals("bearer token not accepted", r.message());
    }
  }

  @Test
  void healthNeedsNoToken() throws Exception {
    try (TestClient client = new TestClient(server.port(), tls())) {
      assertEquals(ServingStatus.SERVING, client.health("pfgm.v1.Generator"));
    }
  }

  @Test
  void plaintextIsRefusedOnATlsPort() throws Exception {
    try (TestClient client = new TestClient(server.port())) {
      assertThrows(Exception.class, () -> generate(client, Map.of("authorization", "Bearer " + TOKEN)));
    }
  }

  @Test
  void mutualTlsNeedsAClientCertificateSignedByTheConfiguredCa() throws Exception {
    PfgmServer mtls = PfgmServer.start(base().withTls(new TlsFiles(Path.of(serverCert.certificatePath()),
        Path.of(serverCert.privateKeyPath()), Path.of(clientCert.certificatePath()))));
    try (TestClient anonymous = new TestClient(mtls.port(), tls());
        TestClient known = new TestClient(mtls.port(), tls().setKeyCertOptions(clientCert.keyCertOptions()))) {
      assertThrows(Exception.class, () -> generate(anonymous, Map.of()));
      assertEquals(GrpcStatus.OK, generate(known, Map.of()).status());
    } finally {
      mtls.close();
    }
  }
}
