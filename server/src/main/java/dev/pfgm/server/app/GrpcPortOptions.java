package dev.pfgm.server.app;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP options of the gRPC port: its address, TLS, the HTTP/2 rapid-reset guard and the
 * deadline for opening a connection.
 */
final class GrpcPortOptions {

  /**
   * Concurrent streams per HTTP/2 connection (Vert.x's default is 100): load tools and services
   * multiplex hundreds of streams over one connection, and each stream's memory is bounded anyway
   * (stream-queue-bytes, max-queued-rows).
   */
  static final int MAX_CONCURRENT_STREAMS = 1000;

  private GrpcPortOptions() {}

  /** Host and port travel in the options: {@code listen(port)} alone would bind every address. */
  static HttpServerOptions of(ServerConfig config) {
    ResetGuard guard = config.resetGuard();
    HttpServerOptions o =
        new HttpServerOptions()
            .setHost(config.host())
            .setPort(config.port())
            .setHttp2RstFloodMaxRstFramePerWindow(guard.maxResets())
            .setHttp2RstFloodWindowDuration(guard.windowSeconds())
            .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.SECONDS)
            .setInitialSettings(
                new Http2Settings().setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS));
    OpeningDeadline.apply(o, config.values().integer(ConfigKey.HANDSHAKE_TIMEOUT_SECONDS));
    TlsFiles tls = config.tls();
    if (tls != null) {
      o.setSsl(true)
          .setUseAlpn(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setCertPath(tls.cert().toString())
                  .setKeyPath(tls.key().toString()));
      if (tls.mutual()) {
        o.setClientAuth(ClientAuth.REQUIRED)
            .setTrustOptions(new PemTrustOptions().addCertPath(tls.clientCa().toString()));
      }
    }
    return o;
  }
}
