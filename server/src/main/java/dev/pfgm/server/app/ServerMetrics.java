package dev.pfgm.server.app;

import dev.pfgm.server.transport.GenerateObserver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusRequestHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The server's Prometheus registry: engine series per model ({@link EngineMetrics}), stream
 * series from the transport, JVM series, and Vert.x's own (HTTP, event bus, pools) through
 * vertx-micrometer-metrics. Served as text on {@code GET /metrics} of its own HTTP port.
 */
final class ServerMetrics implements GenerateObserver, AutoCloseable {

  static final String PATH = "/metrics";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();

  ServerMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  /** A Vert.x instance that reports its own metrics into this registry. */
  Vertx createVertx() {
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            // Jobs travel on the local bus; its series say nothing the engine's do not.
            .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
            // Two HTTP servers (gRPC, metrics): the local address keeps their series apart.
            .addLabels(Label.LOCAL)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  EngineMetrics engine(String model) {
    return new EngineMetrics(registry, model);
  }

  void openStreams(IntSupplier open) {
    Gauge.builder("pfgm.streams.open", open::getAsInt).description("Generate streams not ended yet")
        .strongReference(true).register(registry);
  }

  /** Serves /metrics on host:port; listen(port) alone would bind every address. */
  Future<HttpServer> serve(Vertx vertx, String host, int port) {
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(PrometheusRequestHandler.create(registry, PATH))
        .listen();
  }

  /** The Prometheus text, as served (for tests and diagnostics). */
  String scrape() {
    return registry.scrape();
  }

  @Override
  public void streamEnded(String model, GrpcStatus status, long durationNanos, int skippedPreviews) {
    Timer.builder("pfgm.stream.duration").description("Generate stream duration, arrival to end")
        .tag("model", model).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
        .register(registry).record(durationNanos, TimeUnit.NANOSECONDS);
    registry.counter("pfgm.stream.skipped.previews", "model", model).increment(skippedPreviews);
    if (status != GrpcStatus.OK) {
      registry.counter("pfgm.stream.errors", "model", model, "status", status.name()).increment();
    }
  }

  @Override
  public void callRejected(GrpcStatus status) {
    registry.counter("pfgm.auth.rejected", "status", status.name()).increment();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
