package dev.pfgm.server.bench;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.proto.v1.GeneratorGrpcClient;
import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.runtime.ModelCard;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Scenario (e): the server under load as its users load it, each image its own stream. Closed loop
 * at N = 1, 8, 32, 256 concurrent streams (final only, and every step streamed with state and PNG)
 * against the bare ONNX Runtime loop at batch N; then open loop (Poisson arrivals) at 35 % and 70 %
 * of the saturated rate. Prints images/s, p50 and p99 latency, and the ratio to the bare loop.
 */
final class LoadMatrix {

  private final Vertx vertx;
  private final GrpcClient client;
  private final SocketAddress server;
  private final String model;
  private final ModelCard card;
  private final BareOrtLoop bare;
  private final Schedule schedule;

  LoadMatrix(
      Vertx vertx,
      GrpcClient client,
      int port,
      ModelCard card,
      BareOrtLoop bare,
      Schedule schedule) {
    this.vertx = vertx;
    this.client = client;
    this.server = SocketAddress.inetSocketAddress(port, "localhost");
    this.model = card.id();
    this.card = card;
    this.bare = bare;
    this.schedule = schedule;
  }

  /** Rows: load, images/s, p50 ms, p99 ms, bare images/s at batch N, ratio. */
  List<String[]> run(int[] closed, int openLoopSeconds) throws Exception {
    List<String[]> rows = new ArrayList<>();
    double saturated = 0;
    for (int n : closed) {
      int rounds = Math.max(3, 40 / n);
      double bareRate = bareRate(n, rounds);
      for (boolean streamed : new boolean[] {false, true}) {
        Latencies l = closedLoop(n, streamed, rounds);
        rows.add(
            new String[] {
              n + " streams, " + (streamed ? "every step streamed (state + PNG)" : "final only"),
              fmt(l.rate),
              fmt(l.percentile(50)),
              fmt(l.percentile(99)),
              fmt(bareRate),
              fmt(l.rate / bareRate)
            });
        if (!streamed) {
          saturated = Math.max(saturated, l.rate);
        }
      }
    }
    for (double share : new double[] {0.35, 0.70}) {
      Latencies l = openLoop(share * saturated, openLoopSeconds);
      rows.add(
          new String[] {
            String.format(
                Locale.ROOT,
                "open loop at %.0f %% of saturation (%.1f/s offered)",
                share * 100,
                share * saturated),
            fmt(l.rate),
            fmt(l.percentile(50)),
            fmt(l.percentile(99)),
            "",
            ""
          });
    }
    return rows;
  }

  private double bareRate(int n, int rounds) throws Exception {
    bare.generate(n, SolverKind.HEUN, schedule, card.augmentDim(), 3);
    long t0 = System.nanoTime();
    for (int r = 0; r < rounds; r++) {
      bare.generate(n, SolverKind.HEUN, schedule, card.augmentDim(), 3 + r);
    }
    return (double) n * rounds / ((System.nanoTime() - t0) / 1e9);
  }

  private Latencies closedLoop(int n, boolean streamed, int rounds) throws Exception {
    await(Future.all(startAll(n, streamed, 0))); // a round not measured: first use of this load
    Latencies l = new Latencies();
    long t0 = System.nanoTime();
    for (int r = 0; r < rounds; r++) {
      for (Future<Double> f : startAll(n, streamed, 1000L * (r + 1))) {
        l.add(await(f));
      }
    }
    l.rate = (double) n * rounds / ((System.nanoTime() - t0) / 1e9);
    return l;
  }

  private List<Future<Double>> startAll(int n, boolean streamed, long seed) {
    List<Future<Double>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(one(request(streamed, seed + i)));
    }
    return all;
  }

  /** Poisson arrivals at {@code rate} per second for {@code seconds}, one final-only image each. */
  private Latencies openLoop(double rate, int seconds) throws Exception {
    SplittableRandom random = new SplittableRandom(11);
    List<Future<Double>> all = new ArrayList<>();
    long start = System.nanoTime();
    long next = start;
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    for (int i = 0; next < end; i++) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      all.add(one(request(false, 50_000L + i)));
      next += (long) (-Math.log(1 - random.nextDouble()) / rate * 1e9);
    }
    Latencies l = new Latencies();
    for (Future<Double> f : all) {
      l.add(await(f));
    }
    l.rate = all.size() / ((System.nanoTime() - start) / 1e9);
    return l;
  }

  private GenerateRequest request(boolean streamed, long seed) {
    GenerateRequest.Builder b =
        GenerateRequest.newBuilder().setModel(model).setNumSamples(1).setSeed(seed + 1);
    if (streamed) {
      b.setPreviewEvery(1)
          .setStepContent(StepContent.newBuilder().setState(true).setDenoisedPng(true));
    }
    return b.build();
  }

  /** Completes with the stream's latency in ms, from request to its end. */
  private Future<Double> one(GenerateRequest req) {
    Promise<Double> done = Promise.promise();
    long t0 = System.nanoTime();
    client
        .request(server, GeneratorGrpcClient.Generate)
        .onSuccess(
            r -> {
              r.end(req);
              r.response()
                  .onSuccess(
                      resp -> {
                        resp.handler((GenerateResponse ev) -> {});
                        resp.endHandler(
                            v -> {
                              if (resp.status() != GrpcStatus.OK) {
                                done.fail(resp.status() + ": " + resp.statusMessage());
                              } else {
                                done.complete((System.nanoTime() - t0) / 1e6);
                              }
                            });
                      })
                  .onFailure(done::fail);
            })
        .onFailure(done::fail);
    return done.future();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.3g", v);
  }

  /** Latencies in ms, and the rate they were served at. */
  private static final class Latencies {
    private double[] ms = new double[16];
    private int n;
    double rate;

    void add(double v) {
      if (n == ms.length) {
        ms = Arrays.copyOf(ms, 2 * n);
      }
      ms[n++] = v;
    }

    double percentile(int p) {
      double[] s = Arrays.copyOf(ms, n);
      Arrays.sort(s);
      return s[Math.min(n - 1, (int) Math.ceil(p / 100.0 * n) - 1)];
    }
  }
}
