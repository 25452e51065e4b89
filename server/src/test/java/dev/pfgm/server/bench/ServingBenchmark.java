package dev.pfgm.server.bench;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.proto.v1.GeneratorGrpcClient;
import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.app.ConfigKey;
import dev.pfgm.server.app.PfgmServer;
import dev.pfgm.server.app.ServerConfig;
import dev.pfgm.server.engine.CompletedView;
import dev.pfgm.server.engine.Engine;
import dev.pfgm.server.engine.EngineException;
import dev.pfgm.server.engine.EngineLimits;
import dev.pfgm.server.engine.FieldNetwork;
import dev.pfgm.server.engine.Job;
import dev.pfgm.server.engine.JobListener;
import dev.pfgm.server.engine.StepView;
import dev.pfgm.server.runtime.ModelCard;
import dev.pfgm.server.runtime.OrtFieldNetwork;
import dev.pfgm.server.sampler.Prior;
import dev.pfgm.server.sampler.SampleSeeds;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import dev.pfgm.server.sampler.Trajectory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.common.GrpcStatus;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Serving benchmarks as ratios against the bare ONNX Runtime loop, all in one run on one machine.
 * Prints a Markdown table. Run with scripts/bench.sh [--model=ID] [--repeats=R]
 * [--warmup-seconds=S] [--scenarios=a,b,c,d,e] [--loads=1,8,32,256] [--models=DIR]
 * [--device=cpu|cuda|auto].
 */
public final class ServingBenchmark {

  private final String model;
  private final int repeats;
  private final int warmUpSeconds;
  private final Path modelsDir;
  private final Set<String> scenarios;
  private final String device;
  private final int[] loads;
  private final Vertx vertx = Vertx.vertx();
  private final GrpcClient client =
      GrpcClient.client(vertx, new GrpcClientOptions().setMaxMessageSize(64 * 1024 * 1024));

  private ServingBenchmark(
      String model,
      int repeats,
      int warmUpSeconds,
      Path modelsDir,
      Set<String> scenarios,
      String device,
      int[] loads) {
    this.device = device;
    this.loads = loads;
    this.model = model;
    this.scenarios = scenarios;
    this.repeats = repeats;
    this.warmUpSeconds = warmUpSeconds;
    this.modelsDir = modelsDir;
  }

  public static void main(String[] args) throws Exception {
    // One access line per stream would put a console write per image into the measurement.
    java.util.logging.Logger.getLogger("dev.pfgm.server.access")
        .setLevel(java.util.logging.Level.OFF);
    String model = "mnist-exact-d128";
    int repeats = 200;
    int warmUp = 60;
    Path models = Path.of("models");
    String device = "cpu";
    int[] loads = {1, 8, 32, 256};
    Set<String> scenarios = Set.of("a", "b", "c", "d", "e");
    for (String a : args) {
      if (a.startsWith("--model=")) {
        model = a.substring(8);
      } else if (a.startsWith("--repeats=")) {
        repeats = Integer.parseInt(a.substring(10));
      } else if (a.startsWith("--warmup-seconds=")) {
        warmUp = Integer.parseInt(a.substring(17));
      } else if (a.startsWith("--scenarios=")) {
        scenarios = Set.of(a.substring(12).split(","));
      } else if (a.startsWith("--models=")) {
        models = Path.of(a.substring(9));
      } else if (a.startsWith("--device=")) {
        device = a.substring(9);
      } else if (a.startsWith("--loads=")) {
        loads = Arrays.stream(a.substring(8).split(",")).mapToInt(Integer::parseInt).toArray();
      } else {
        throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    new ServingBenchmark(model, repeats, warmUp, models, scenarios, device, loads).run();
    System.exit(0);
  }

  private void run() throws Exception {
    ModelCard card =
        ModelCard.parse(Files.readString(modelsDir.resolve(model).resolve("model.json")));
    Schedule schedule =
        Schedule.edm(card.defaultSteps(), card.sigmaMin(), card.sigmaMax(), card.rho());
    int nfe = 2 * schedule.steps() - 1;
    List<String[]> rows = new ArrayList<>();
    try (PfgmServer server = PfgmServer.start(config(EngineLimits.DEFAULTS));
        PfgmServer unbatched = PfgmServer.start(config(new EngineLimits(1, 256, 1024)))) {
      // The bare loop and the engine-alone row drive the served session itself (see BareOrtLoop).
      if (server.model(model) == null) {
        throw new IllegalArgumentException(
            "model " + model + " is not served from " + modelsDir + ": " + server.refusals());
      }
      OrtFieldNetwork network = server.model(model).network();
      BareOrtLoop bare = new BareOrtLoop(BareOrtLoop.sessionOf(network), card);
      Body warmUpRound =
          new Body() {
            private int i;

            @Override
            public void run() throws Exception {
              bare.generate(1, SolverKind.HEUN, schedule, card.augmentDim(), 8);
              engineAlone(network, schedule, card);
              await(stream(server.port(), request(1, 1, i)));
              if (i++ % 8 == 0) {
                bare.generate(32, SolverKind.HEUN, schedule, card.augmentDim(), 4);
                await(stream(server.port(), request(32, 0, 3)));
                await(concurrent(server.port(), 32, 0));
                await(concurrent(unbatched.port(), 32, 0));
              }
            }
          };
      double warmedSeconds = warmUp(warmUpRound);
      long jitBefore = jitMillis();
      // Each comparison alternates its two sides round by round, so drift in machine load hits
      // both.
      // (a) one stream, every step streamed, vs the bare loop making the same calls.
      if (scenarios.contains("a")) {
        rows.add(
            row(
                "(a) one stream, every step streamed (state + PNG) vs bare ORT loop",
                1,
                "≥ 0.95",
                interleaved(
                    repeats,
                    () -> await(stream(server.port(), request(1, 1, 7))),
                    () -> bare.generate(1, SolverKind.HEUN, schedule, card.augmentDim(), 8))));
        // (a0) the same generation through the engine alone: no event loop, no gRPC, no client.
        rows.add(
            row(
                "(a0) the same through the engine alone (no Vert.x, gRPC or client) vs bare ORT loop",
                1,
                "diagnostic",
                interleaved(
                    repeats,
                    () -> engineAlone(network, schedule, card),
                    () -> bare.generate(1, SolverKind.HEUN, schedule, card.augmentDim(), 8))));
      }
      int reps32 = rounds32();
      if (scenarios.contains("b")) {
        // (b) 32 concurrent 1-image streams vs one 32-image request.
        rows.add(
            row(
                "(b) 32 concurrent 1-image streams vs one 32-image request",
                32,
                "≥ 0.85",
                interleaved(
                    reps32,
                    () -> await(concurrent(server.port(), 32, 0)),
                    () -> await(stream(server.port(), request(32, 0, 3))))));
        rows.add(
            row(
                "    one 32-image request vs bare ORT loop at batch 32",
                32,
                "",
                interleaved(
                    reps32,
                    () -> await(stream(server.port(), request(32, 0, 3))),
                    () -> bare.generate(32, SolverKind.HEUN, schedule, card.augmentDim(), 4))));
      }
      if (scenarios.contains("c")) {
        // (c) continuous batching on vs off (row limit 1) at 32 streams.
        rows.add(
            row(
                "(c) 32 streams, continuous batching on vs off (row limit 1)",
                32,
                "speedup",
                interleaved(
                    reps32,
                    () -> await(concurrent(server.port(), 32, 0)),
                    () -> await(concurrent(unbatched.port(), 32, 0)))));
      }
      if (scenarios.contains("d")) {
        rows.add(firstStep(server.port(), bare, card));
      }
      print(card, nfe, warmedSeconds, jitMillis() - jitBefore, rows);
      if (scenarios.contains("e")) {
        List<String[]> load =
            new LoadMatrix(vertx, client, server.port(), card, bare, schedule).run(loads, 30);
        System.out.println(
            "\n(e) load: each image its own stream; bare loop at batch N for the closed loop\n");
        System.out.println("| load | images/s | p50 ms | p99 ms | bare loop images/s | ratio |");
        System.out.println("|---|---|---|---|---|---|");
        load.forEach(r -> System.out.println("| " + String.join(" | ", r) + " |"));
      }
    }
    vertx.close();
  }

  /** (d) time to the first Step event at idle vs one network call. */
  private String[] firstStep(int port, BareOrtLoop bare, ModelCard card) throws Exception {
    double[] first = new double[repeats];
    double[] call = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      first[i] = firstStepMillis(port);
      long t0 = System.nanoTime();
      bare.generate(
          1,
          SolverKind.EULER,
          Schedule.edm(1, card.sigmaMin(), card.sigmaMax(), card.rho()),
          card.augmentDim(),
          8);
      call[i] = (System.nanoTime() - t0) / 1e6;
    }
    double f = median(first);
    double c = median(call);
    return new String[] {
      "(d) time to first Step at idle vs one network call (1 row), medians",
      fmt(f) + " ms",
      fmt(c) + " ms",
      fmt(f / c),
      "",
      "≤ call + 5 ms: " + (f <= c + 5 ? "yes" : "no")
    };
  }

  /**
   * Runs warm-up rounds for at least the configured time and then until the JIT has settled (under
   * 1 % of one core spent compiling over the last 10 s, at most 4x the configured time): C2
   * compiling the serving path during a measurement takes a core from ONNX Runtime.
   *
   * @return seconds spent
   */
  private double warmUp(Body round) throws Exception {
    long start = System.nanoTime();
    long minEnd = start + warmUpSeconds * 1_000_000_000L;
    long maxEnd = start + 4L * warmUpSeconds * 1_000_000_000L;
    long windowStart = start;
    long jitAtWindowStart = jitMillis();
    while (true) {
      round.run();
      long now = System.nanoTime();
      if (now - windowStart >= 10_000_000_000L) {
        boolean settled = jitMillis() - jitAtWindowStart < 100;
        if ((settled && now - minEnd >= 0) || now - maxEnd >= 0) {
          return (now - start) / 1e9;
        }
        windowStart = now;
        jitAtWindowStart = jitMillis();
      }
    }
  }

  /** Rounds of the 32-image scenarios, each ~30x longer than a 1-image round. */
  private int rounds32() {
    return Math.max(5, repeats / 10);
  }

  private static long jitMillis() {
    return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
  }

  /** One 1-sample Heun generation ticked to the end by an Engine on this thread. */
  private static void engineAlone(FieldNetwork network, Schedule schedule, ModelCard card) {
    Engine engine = new Engine(network, EngineLimits.DEFAULTS, System::nanoTime);
    Prior prior = Prior.of(card.augmentDim(), network.dataDim(), schedule.sigma(0));
    Trajectory t = new Trajectory(SolverKind.HEUN, schedule, prior.sample(SampleSeeds.rng(8)));
    engine.submit(
        new Job(
            List.of(t),
            BareOrtLoop.classRows(card, 1, 8),
            0,
            Job.NO_DEADLINE,
            new JobListener() {
              @Override
              public void admitted(int queuePosition) {}

              @Override
              public void step(StepView step) {}

              @Override
              public void completed(CompletedView result) {}

              @Override
              public void failed(EngineException error) {
                throw error;
              }
            }));
    while (engine.hasWork()) {
      engine.tick();
    }
  }

  private ServerConfig config(EngineLimits limits) {
    return ServerConfig.builder()
        .set(ConfigKey.PORT, 0)
        .set(ConfigKey.METRICS_PORT, 0)
        .set(ConfigKey.HOST, "localhost")
        .set(ConfigKey.MODELS, modelsDir)
        .set(ConfigKey.MAX_BATCH_ROWS, limits.maxBatchRows())
        .set(ConfigKey.MAX_ACTIVE_ROWS, limits.maxActiveRows())
        .set(ConfigKey.MAX_QUEUED_ROWS, limits.maxQueuedRows())
        .set(ConfigKey.DEVICE, device)
        .build();
  }

  private GenerateRequest request(int samples, int previewEvery, long seed) {
    GenerateRequest.Builder b =
        GenerateRequest.newBuilder()
            .setModel(model)
            .setNumSamples(samples)
            .setSeed(seed + 1)
            .setPreviewEvery(previewEvery);
    if (previewEvery > 0) {
      b.setStepContent(StepContent.newBuilder().setState(true).setDenoisedPng(true));
    }
    return b.build();
  }

  /**
   * Completes with the time of the first Step event (ns since start), or -1 when there was none.
   */
  private Future<Long> stream(int port, GenerateRequest req) {
    Promise<Long> done = Promise.promise();
    long t0 = System.nanoTime();
    long[] firstStep = {-1};
    client
        .request(SocketAddress.inetSocketAddress(port, "localhost"), GeneratorGrpcClient.Generate)
        .onSuccess(
            r -> {
              r.end(req);
              r.response()
                  .onSuccess(
                      resp -> {
                        resp.handler(
                            (GenerateResponse ev) -> {
                              if (ev.hasStep() && firstStep[0] < 0) {
                                firstStep[0] = System.nanoTime() - t0;
                              }
                            });
                        resp.endHandler(
                            v -> {
                              if (resp.status() != GrpcStatus.OK) {
                                done.fail(resp.status() + ": " + resp.statusMessage());
                              } else {
                                done.complete(firstStep[0]);
                              }
                            });
                      })
                  .onFailure(done::fail);
            })
        .onFailure(done::fail);
    return done.future();
  }

  private Future<?> concurrent(int port, int streams, int previewEvery) {
    List<Future<Long>> all = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      all.add(stream(port, request(1, previewEvery, 100 + i)));
    }
    return Future.all(all);
  }

  private double firstStepMillis(int port) throws Exception {
    GenerateRequest req =
        GenerateRequest.newBuilder().setModel(model).setSeed(9).setPreviewEvery(1).build();
    return await(stream(port, req)) / 1e6;
  }

  private interface Body {
    void run() throws Exception;
  }

  /** Seconds per run of two bodies run alternately, and the ratio in each fifth of the rounds. */
  private record Timing(
      double oursSeconds, double baseSeconds, double minBlockRatio, double maxBlockRatio) {}

  private static final int BLOCKS = 5;

  /** Runs two bodies alternately, rounds times each, alternating which goes first. */
  private static Timing interleaved(int rounds, Body ours, Body base) throws Exception {
    long[] oursNanos = new long[BLOCKS];
    long[] baseNanos = new long[BLOCKS];
    for (int i = 0; i < rounds; i++) {
      // Alternate which side goes first, so neither always follows the other's leftovers.
      boolean oursFirst = i % 2 == 0;
      long t0 = System.nanoTime();
      (oursFirst ? ours : base).run();
      long t1 = System.nanoTime();
      (oursFirst ? base : ours).run();
      long t2 = System.nanoTime();
      int block = i * BLOCKS / rounds;
      oursNanos[block] += oursFirst ? t1 - t0 : t2 - t1;
      baseNanos[block] += oursFirst ? t2 - t1 : t1 - t0;
    }
    double min = Double.MAX_VALUE;
    double max = 0;
    for (int b = 0; b < BLOCKS; b++) {
      if (oursNanos[b] > 0) {
        double r = (double) baseNanos[b] / oursNanos[b];
        min = Math.min(min, r);
        max = Math.max(max, r);
      }
    }
    return new Timing(
        Arrays.stream(oursNanos).sum() / 1e9 / rounds,
        Arrays.stream(baseNanos).sum() / 1e9 / rounds,
        min,
        max);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** A table row in images per second; the ratio is ours over the baseline (higher is better). */
  private static String[] row(String what, int images, String target, Timing t) {
    double ours = images / t.oursSeconds();
    double base = images / t.baseSeconds();
    return new String[] {
      what,
      fmt(ours) + " images/s",
      fmt(base) + " images/s",
      fmt(ours / base),
      fmt(t.minBlockRatio()) + "–" + fmt(t.maxBlockRatio()),
      target
    };
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.3g", v);
  }

  private void print(
      ModelCard card, int nfe, double warmedSeconds, long jitMillis, List<String[]> rows) {
    System.out.printf(
        Locale.ROOT,
        "%nmodel %s, %d steps (NFE %d per image), %d rounds (%d for 32 images) after %.0f s of"
            + " warm-up, JIT %d ms during measurement, %d cores, %s%n%n",
        card.id(),
        card.defaultSteps(),
        nfe,
        repeats,
        rounds32(),
        warmedSeconds,
        jitMillis,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    System.out.println(
        "| scenario | measured | baseline | ratio | ratio per fifth of the rounds | target |");
    System.out.println("|---|---|---|---|---|---|");
    for (String[] r : rows) {
      System.out.println("| " + String.join(" | ", r) + " |");
    }
  }
}
