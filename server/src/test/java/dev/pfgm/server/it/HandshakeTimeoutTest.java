package dev.pfgm.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.server.app.ConfigKey;
import dev.pfgm.server.app.PfgmServer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpConnection;
import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A connection must finish opening within handshake-timeout-seconds (here 1 s): the HTTP/2 preface
 * and SETTINGS, or an HTTP/1.1 request head. A socket that sends nothing or stops half-way is
 * closed by the server; an opened connection may then stay quiet as long as it likes.
 */
class HandshakeTimeoutTest {

  static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  static final byte[] EMPTY_SETTINGS = {0, 0, 0, 4, 0, 0, 0, 0, 0};

  static PfgmServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        PfgmServer.start(
            ServerFixture.builder().set(ConfigKey.HANDSHAKE_TIMEOUT_SECONDS, 1).build());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** Sends {@code opening}, reads what the server answers; true when the server closed it. */
  private static boolean closedByServerWithin(byte[] opening, int millis) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.getOutputStream().write(opening);
      s.getOutputStream().flush();
      s.setSoTimeout(millis);
      InputStream in = s.getInputStream();
      long end = System.nanoTime() + millis * 1_000_000L;
      try {
        while (System.nanoTime() < end) {
          if (in.read() < 0) {
            return true;
          }
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true; // reset by the server
      }
      return false;
    }
  }

  @Test
  void aSocketThatSendsNothingIsClosed() throws Exception {
    assertTrue(closedByServerWithin(new byte[0], 10_000));
  }

  @Test
  void halfAPrefaceIsClosed() throws Exception {
    assertTrue(
        closedByServerWithin("PRI * HTTP/2.0\r\n".getBytes(StandardCharsets.US_ASCII), 10_000));
  }

  @Test
  void prefaceWithoutSettingsIsClosed() throws Exception {
    assertTrue(closedByServerWithin(PREFACE, 10_000));
  }

  @Test
  void halfAnHttp1RequestHeadIsClosed() throws Exception {
    assertTrue(
        closedByServerWithin(
            "GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII), 10_000));
  }

  @Test
  void anOpenedHttp2ConnectionMayStayQuiet() throws Exception {
    byte[] opening = new byte[PREFACE.length + EMPTY_SETTINGS.length];
    System.arraycopy(PREFACE, 0, opening, 0, PREFACE.length);
    System.arraycopy(EMPTY_SETTINGS, 0, opening, PREFACE.length, EMPTY_SETTINGS.length);
    assertFalse(closedByServerWithin(opening, 3_000), "closed though it had opened");
  }

  @Test
  void anHttp1ConnectionThatSentARequestMayStayQuiet() throws Exception {
    byte[] get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    assertFalse(closedByServerWithin(get, 3_000), "closed though it had sent a request");
  }

  @Test
  void aGrpcClientServedBeforeAndAfterAQuietSpellKeepsItsConnection() throws Exception {
    try (RawGrpc raw = new RawGrpc(server.port())) {
      byte[] req =
          GenerateRequest.newBuilder()
              .setModel("mnist-exact-d128")
              .setSteps(2)
              .setSeed(1)
              .build()
              .toByteArray();
      HttpClientRequest opened = RawGrpc.await(raw.request(RawGrpc.GENERATE, h -> {}));
      HttpConnection connection = opened.connection();
      AtomicBoolean closed = new AtomicBoolean();
      connection.closeHandler(v -> closed.set(true));
      RawGrpc.Answer first = RawGrpc.await(raw.exchange(opened, RawGrpc.frame(req)));
      assertEquals(GrpcStatus.OK.code, first.grpcStatus(), first.toString());
      Thread.sleep(2_500);
      assertFalse(closed.get(), "the quiet connection was closed");
      HttpClientRequest again = RawGrpc.await(raw.request(RawGrpc.GENERATE, h -> {}));
      assertSame(connection, again.connection());
      RawGrpc.Answer second = RawGrpc.await(raw.exchange(again, RawGrpc.frame(req)));
      assertEquals(GrpcStatus.OK.code, second.grpcStatus(), second.toString());
    }
  }
}
