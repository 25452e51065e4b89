package dev.pfgm.server.app;

import dev.pfgm.proto.v1.GeneratorGrpcService;
import dev.pfgm.server.transport.BearerAuth;
import dev.pfgm.server.transport.GenerateObserver;
import dev.pfgm.server.transport.GeneratorEndpoint;
import dev.pfgm.server.transport.HttpFront;
import dev.pfgm.server.transport.WebPage;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.health.HealthService;
import io.vertx.grpc.reflection.ReflectionService;
import io.vertx.grpc.server.GrpcProtocol;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * The ports of a server, whatever its role: pfgm.v1.Generator, grpc.health.v1 and server reflection
 * on one port (TLS and bearer tokens when configured, the browser page beside them), and Prometheus
 * metrics on another.
 */
final class Front {

  private static final Logger LOG = Logger.getLogger(PfgmServer.class.getName());

  final List<GrpcPortVerticle> grpcPorts;
  final HttpServer metricsHttp; // null: metrics off
  private final HealthService health;

  private Front(List<GrpcPortVerticle> grpcPorts, HttpServer metricsHttp, HealthService health) {
    this.grpcPorts = grpcPorts;
    this.metricsHttp = metricsHttp;
    this.health = health;
  }

  /**
   * Binds the ports; {@code serving} is the health of pfgm.v1.Generator.
   *
   * @param metrics null when metrics are off
   */
  static Front serve(
      Vertx vertx,
      ServerConfig config,
      GeneratorEndpoint endpoint,
      BooleanSupplier serving,
      ServerMetrics metrics)
      throws IOException {
    GenerateObserver observer = metrics == null ? GenerateObserver.NONE : metrics;
    // Without transcoding, a non-gRPC content type (application/json) gets 415, not 500.
    GrpcServer grpc =
        GrpcServer.server(
            vertx,
            new GrpcServerOptions()
                .setMaxMessageSize(config.maxRequestBytes())
                .removeEnabledProtocol(GrpcProtocol.TRANSCODING));
    grpc.addService(endpoint);
    grpc.addService(ReflectionService.v1());
    // Vert.x answers SERVING for "" (the whole server) whatever is registered: probes must name
    // pfgm.v1.Generator to see a drain, or pfgm.v1.Generator/<model id> for one model.
    HealthService health =
        HealthService.create(vertx)
            .register(
                GeneratorGrpcService.SERVICE_NAME,
                () -> Future.succeededFuture(serving.getAsBoolean()));
    grpc.addService(health);
    Handler<HttpServerRequest> handler =
        new HttpFront(
            config.authTokens().isEmpty()
                ? grpc
                : new BearerAuth(config.authTokens(), grpc, observer));
    // The browser page: GET / and /web/**, before (outside) the token check.
    handler = new WebPage(handler);
    // Metrics bind first: Vert.x shares one port between servers of one instance, so a gRPC
    // port 0 that happened to pick the metrics port would split its connections between them.
    HttpServer metricsHttp = null;
    AtomicInteger connections = new AtomicInteger();
    if (metrics != null) {
      metrics.openStreams(endpoint::openStreams);
      metrics.openConnections(connections::get);
      metricsHttp =
          listen(
              "metrics",
              config.metricsHost(),
              config.metricsPort(),
              metrics.serve(vertx, config.metricsHost(), config.metricsPort()));
    }
    return new Front(listenOnEventLoops(vertx, config, handler, connections), metricsHttp, health);
  }

  HealthService health() {
    return health;
  }

  int port() {
    return grpcPorts.get(0).actualPort();
  }

  int metricsPort() {
    return metricsHttp == null ? 0 : metricsHttp.actualPort();
  }

  /** The startup line (tests and operators look for it): ports, security, and what is served. */
  void logListening(ServerConfig config, String serving) {
    int metricsPort = metricsPort();
    LOG.info(
        () ->
            "pfgm-serve listening on "
                + config.host()
                + ":"
                + port()
                + " ("
                + grpcPorts.size()
                + " event loops)"
                + (config.tls() == null
                    ? " (plaintext)"
                    : config.tls().mutual() ? " (mTLS)" : " (TLS)")
                + (config.authTokens().isEmpty() ? "" : " with bearer tokens")
                + serving
                + (metricsPort == 0
                    ? "; metrics off"
                    : "; metrics on "
                        + config.metricsHost()
                        + ":"
                        + metricsPort
                        + ServerMetrics.PATH));
  }

  /**
   * The gRPC port on {@code eventLoops} verticle instances sharing one socket. Vert.x shares a
   * server by host and port; port 0 is never shared, so a free port is asked for as -1 (Vert.x: "a
   * random port, shared by every server that asks for -1").
   */
  private static List<GrpcPortVerticle> listenOnEventLoops(
      Vertx vertx,
      ServerConfig config,
      Handler<HttpServerRequest> handler,
      AtomicInteger connections)
      throws IOException {
    List<GrpcPortVerticle> ports = new ArrayList<>();
    HttpServerOptions options = GrpcPortOptions.of(config);
    if (options.getPort() == 0) {
      options.setPort(-1);
    }
    for (int i = 0; i < config.eventLoops(); i++) {
      GrpcPortVerticle port =
          new GrpcPortVerticle(new HttpServerOptions(options), handler, connections);
      listen("gRPC", config.host(), config.port(), vertx.deployVerticle(port));
      ports.add(port);
    }
    return List.copyOf(ports);
  }

  /** Awaits a listen, naming the port in the failure (a busy port, a bad certificate). */
  private static <T> T listen(String what, String host, int port, Future<T> listening)
      throws IOException {
    try {
      return PfgmServer.await(listening);
    } catch (Exception e) {
      Throwable cause =
          e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
              ? e.getCause()
              : e;
      throw new IOException(
          "cannot listen on " + what + " port " + host + ":" + port + ": " + cause, cause);
    }
  }
}
