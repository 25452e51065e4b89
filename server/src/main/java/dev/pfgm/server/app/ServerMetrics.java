package dev.pfgm.server.app;

import dev.pfgm.server.cluster.GatewayNode;
import dev.pfgm.server.runtime.LoadedModel;
import dev.pfgm.server.runtime.RuntimeOptions;
import dev.pfgm.server.transport.GenerateObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.micrometer.PrometheusRequestHandler;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

/**
 * The server's Prometheus registry, served as text on {@code GET /metrics} of its own HTTP port:
 * engine series per model ({@link EngineMetrics}), stream series from the transport, build and
 * model info, and the JVM's. Durations are in seconds; every histogram has a handful of buckets
 * chosen for its quantity. Vert.x's own metrics are off: its HTTP series count gRPC calls as HTTP
 * 200 whatever their status, which {@code pfgm_streams_total} reports instead.
 */
final class ServerMetrics implements GenerateObserver, AutoCloseable {

  static final String PATH = "/metrics";

  /** Bucket bounds: a Generate stream runs from milliseconds to minutes. */
  static final Duration[] STREAM_BUCKETS = seconds(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300);

  /** Arrival to the first Step event: queue wait, one or two network calls and the frame. */
  static final Duration[] FIRST_STEP_BUCKETS =
      seconds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10);

  /**
   * Submission to the first network call: about one tick when rows are free, longer in the queue.
   */
  static final Duration[] QUEUE_BUCKETS = seconds(0.005, 0.025, 0.1, 0.5, 1, 5, 30, 120);

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Map<String, Gauge> modelInfo = new ConcurrentHashMap<>();

  ServerMetrics() {
    // process.cpu.time counts nanoseconds; process_cpu_seconds_total below says the same in
    // seconds.
    registry.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, b -> b.getProcessCpuTime() / 1e9)
          .baseUnit("seconds")
          .description("CPU time used by the server process")
          .register(registry);
    }
    Gauge.builder("pfgm.build.info", () -> 1)
        .description("Always 1; the labels name the server's version and Java")
        .tag("version", version())
        .tag("java", Runtime.version().toString())
        .strongReference(true)
        .register(registry);
  }

  /** A gateway's placement series (pfgm_cluster_*). */
  GatewayNode.Observer cluster() {
    return new ClusterMetrics(registry);
  }

  EngineMetrics engine(String model) {
    return new EngineMetrics(registry, model);
  }

  /**
   * pfgm_model_info: one series per served model, its card's figures as labels (replaces the
   * model's old one).
   */
  void model(LoadedModel m, RuntimeOptions runtime) {
    modelGone(m.card().id());
    double d = m.card().augmentDim();
    modelInfo.put(
        m.card().id(),
        Gauge.builder("pfgm.model.info", () -> 1)
            .description(
                "Always 1, one per served model; the labels give its augment_dim (D), sample shape and device")
            .tag("model", m.card().id())
            .tag(
                "augment_dim",
                Double.isInfinite(d)
                    ? "inf"
                    : d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d))
            .tag(
                "shape",
                Arrays.stream(m.card().shape())
                    .mapToObj(Integer::toString)
                    .collect(Collectors.joining("x")))
            .tag(
                "device",
                "CUDA".equals(m.network().provider()) ? "cuda:" + runtime.cudaDeviceId() : "cpu")
            .strongReference(true)
            .register(registry));
  }

  /** A model is no longer served: its pfgm_model_info series goes. */
  void modelGone(String id) {
    Gauge old = modelInfo.remove(id);
    if (old != null) {
      registry.remove(old);
    }
  }

  void openStreams(IntSupplier open) {
    Gauge.builder("pfgm.streams.open", open::getAsInt)
        .description("Generate streams not ended yet")
        .strongReference(true)
        .register(registry);
  }

  void openConnections(IntSupplier open) {
    Gauge.builder("pfgm.connections.open", open::getAsInt)
        .description(
            "Client connections open on the gRPC port (HTTP/2, and HTTP/1.1 for the browser page)")
        .strongReference(true)
        .register(registry);
  }

  /** Serves /metrics on host:port; listen(port) alone would bind every address. */
  Future<HttpServer> serve(Vertx vertx, String host, int port) {
    return vertx
        .createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(PrometheusRequestHandler.create(registry, PATH))
        .listen();
  }

  /** The Prometheus text, as served (for tests and diagnostics). */
  String scrape() {
    return registry.scrape();
  }

  @Override
  public void streamEnded(StreamEnd s) {
    Counter.builder("pfgm.streams")
        .description("Generate streams ended, by the gRPC status the client got")
        .tags("model", s.model(), "status", s.status().name())
        .register(registry)
        .increment();
    timer(
            "pfgm.stream.duration",
            "Generate streams, arrival to end, any status",
            STREAM_BUCKETS,
            s.model())
        .record(s.durationNanos(), TimeUnit.NANOSECONDS);
    if (s.firstStepNanos() != NONE_NANOS) {
      timer(
              "pfgm.stream.time.to.first.step",
              "Generate streams with previews, arrival to the first Step event",
              FIRST_STEP_BUCKETS,
              s.model())
          .record(s.firstStepNanos(), TimeUnit.NANOSECONDS);
    }
    if (s.queueNanos() != NONE_NANOS) {
      timer(
              "pfgm.stream.queue.wait",
              "Completed streams, job submitted to its first network call",
              QUEUE_BUCKETS,
              s.model())
          .record(s.queueNanos(), TimeUnit.NANOSECONDS);
    }
    Counter.builder("pfgm.stream.skipped.previews")
        .description("Step events dropped because a client read slowly")
        .tag("model", s.model())
        .register(registry)
        .increment(s.skippedSteps());
  }

  private Timer timer(String name, String description, Duration[] buckets, String model) {
    return Timer.builder(name)
        .description(description)
        .tag("model", model)
        .serviceLevelObjectives(buckets)
        .register(registry);
  }

  @Override
  public void callRejected(GrpcStatus status) {
    Counter.builder("pfgm.auth.rejected")
        .description("Calls refused by the bearer-token check, by gRPC status")
        .tag("status", status.name())
        .register(registry)
        .increment();
  }

  static Duration[] seconds(double... bounds) {
    return Arrays.stream(bounds)
        .mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9)))
        .toArray(Duration[]::new);
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }

  /** The server's Maven version, from the jar; "unknown" when run from classes (tests, IDE). */
  static String version() {
    try (InputStream in =
        ServerMetrics.class.getResourceAsStream(
            "/META-INF/maven/dev.pfgm/pfgm-serve-server/pom.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
