package dev.pfgm.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.Delivery;
import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.proto.v1.Solver;
import dev.pfgm.proto.v1.StepContent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A cluster of real processes on loopback (one gateway, two workers, a third worker later) against
 * the single-process server: placement, byte-identical results, a worker killed mid-stream, a
 * worker that joins late, and a gateway left without workers. The tests run in order on one
 * cluster: each starts from what the one before left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {

  private static final String MODEL = GrpcTestClient.MODEL;
  private static final long SPREAD_SEEDS = 1000; // 32 short streams
  private static final long KILL_SEEDS = 2000; // 16 long streams
  private static final long LATE_SEEDS = 3000; // 8 short streams
  private static final long RK45_SEEDS = 4000; // 4 RK45 streams, every accepted step streamed
  private static final long LOOSE_SEEDS = 4100; // 4 RK45 streams with loose tolerances
  private static final long TIGHT_SEEDS = 4200; // 4 RK45 streams with the tightest tolerances
  private static final long NOISY_SEEDS = 5000; // 4 short Heun streams with noise injection
  private static final long NOISY_KILL_SEEDS = 6000; // 4 long ones
  private static final long CLASS_SEEDS = 7000; // 2 streams of 3 samples, a class named or drawn
  private static final int SHORT = 18;
  private static final int LONG = 1000;
  private static final int PAUSED_STEPS = 100;

  private SingleProcessResults single;
  private List<Integer> ports; // Hazelcast ports: gateway, worker 1, 2, 3
  private NodeProcess gateway;
  private NodeProcess worker1;
  private NodeProcess worker2;
  private NodeProcess worker3;
  private GrpcTestClient client;

  private static GenerateRequest request(long seed, int steps) {
    return GenerateRequest.newBuilder()
        .setModel(MODEL)
        .setNumSamples(1)
        .setSeed(seed)
        .setSteps(steps)
        .setPreviewEvery(steps == LONG ? 50 : 6)
        .build();
  }

  /** RK45 with tight tolerances: hundreds of evaluations, every accepted step a frame. */
  private static GenerateRequest rk45(long seed) {
    return rk45(seed, 1e-5);
  }

  /** Loose tolerances: the step-size controller overshoots and rejects trial steps. */
  private static GenerateRequest loose(long seed) {
    return rk45(seed, 0.05);
  }

  /**
   * The tightest tolerances a request may ask: several times the steps of {@link #rk45(long)}, so
   * the stream is still running when a worker is killed.
   */
  private static GenerateRequest tight(long seed) {
    return rk45(seed, 1e-6).toBuilder().setAtol(1e-8).build();
  }

  private static GenerateRequest rk45(long seed, double tol) {
    return GenerateRequest.newBuilder()
        .setModel(MODEL)
        .setNumSamples(1)
        .setSeed(seed)
        .setSolver(Solver.SOLVER_RK45)
        .setRtol(tol)
        .setAtol(tol)
        .setPreviewEvery(1)
        .setDelivery(Delivery.DELIVERY_ALL) // every accepted step arrives: the indices compare
        .build();
  }

  private static GenerateRequest noisy(long seed, int steps) {
    return request(seed, steps).toBuilder().setNoiseInjection(0.1).build();
  }

  /**
   * Three samples with class rows: of the conditional model for even seeds, of the default
   * (latent-class) model for odd ones, whose rows each get the class their seed draws.
   */
  private static GenerateRequest classes(long seed) {
    GenerateRequest.Builder b =
        request(seed, SHORT).toBuilder().setNumSamples(3).setModel("mnist-unet-d128");
    return seed % 2 == 0 ? b.setModel("mnist-unet-cond-edm").setClassLabel(7).build() : b.build();
  }

  @BeforeAll
  void start() throws Exception {
    // The single-process results first, while the machine is quiet.
    List<GenerateRequest> requests = new ArrayList<>();
    seeds(SPREAD_SEEDS, 32).forEach(s -> requests.add(request(s, SHORT)));
    seeds(KILL_SEEDS, 16).forEach(s -> requests.add(request(s, LONG)));
    seeds(LATE_SEEDS, 8).forEach(s -> requests.add(request(s, SHORT)));
    seeds(RK45_SEEDS, 4).forEach(s -> requests.add(rk45(s)));
    seeds(LOOSE_SEEDS, 4).forEach(s -> requests.add(loose(s)));
    seeds(TIGHT_SEEDS, 4).forEach(s -> requests.add(tight(s)));
    seeds(NOISY_SEEDS, 4).forEach(s -> requests.add(noisy(s, SHORT)));
    seeds(NOISY_KILL_SEEDS, 4).forEach(s -> requests.add(noisy(s, LONG)));
    seeds(CLASS_SEEDS, 2).forEach(s -> requests.add(classes(s)));
    single = new SingleProcessResults(requests);
    ports = NodeProcess.freePorts(8); // Hazelcast ports, then metrics ports
    List<Integer> members = ports.subList(0, 3);
    gateway = NodeProcess.start("gateway", ports.get(0), ports.get(4), members);
    worker1 = NodeProcess.start("worker", ports.get(1), ports.get(5), members);
    worker2 = NodeProcess.start("worker", ports.get(2), ports.get(6), members);
    client = new GrpcTestClient(gateway.port());
    worker1.port();
    worker2.port();
    gateway.awaitLog("; 2 worker(s)", 60);
  }

  @AfterAll
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    for (NodeProcess n : new NodeProcess[] {worker3, worker2, worker1, gateway}) {
      if (n != null) {
        n.close();
      }
    }
  }

  @Test
  @Order(1)
  void placementSpreadsStreamsOverBothWorkersAndEachEqualsTheSingleProcessResult()
      throws Exception {
    Map<Long, GrpcTestClient.Result> results = run(seeds(SPREAD_SEEDS, 32), SHORT);
    Map<String, Long> perWorker =
        results.values().stream()
            .collect(
                Collectors.groupingBy(
                    r -> r.events().get(0).getStarted().getWorker(), Collectors.counting()));
    assertEquals(Set.of(worker1.name, worker2.name), perWorker.keySet(), perWorker.toString());
    perWorker.values().forEach(n -> assertTrue(n >= 8, "placement: " + perWorker));
    single.assertIdentical(results);
    for (NodeProcess w : List.of(worker1, worker2)) {
      assertEquals(
          (double) perWorker.get(w.name),
          gateway.metric(
              "pfgm_cluster_placements_total{model=\"" + MODEL + "\",worker=\"" + w.name),
          "the gateway's placement counter of " + w.name);
    }
    assertEquals(2.0, gateway.metric("pfgm_cluster_workers "));
    assertEquals(List.of(), gateway.warnings(), "a normal run logs no warning");
    assertEquals(List.of(), worker1.warnings());
    assertEquals(List.of(), worker2.warnings());
  }

  @Test
  @Order(2)
  void cancelsAndDeadlinesReachTheWorkerAndFreeItsRows() throws Exception {
    // 64 samples of 1000 steps: seconds of work, far more than the deadline or a cancel's trip.
    GenerateRequest big = request(7, LONG).toBuilder().setNumSamples(64).build();
    GrpcTestClient.await(client.cancelAtFirstEvent(big), 60);
    GrpcTestClient.Result late = GrpcTestClient.await(client.start(big, 200, r -> {}), 60);
    assertEquals(GrpcStatus.DEADLINE_EXCEEDED, late.status(), late.message());
    long end = System.nanoTime() + 20_000_000_000L;
    while (dropped() < 2 || activeRows() > 0) {
      assertTrue(
          System.nanoTime() < end,
          "the workers still hold the jobs: dropped "
              + dropped()
              + ", active rows "
              + activeRows());
      Thread.sleep(50);
    }
  }

  @Test
  @Order(2)
  void rk45NoiseInjectionAndClassRowsThroughTheGatewayEqualTheSingleProcess() {
    Map<Long, Future<GrpcTestClient.Result>> running = new HashMap<>();
    seeds(RK45_SEEDS, 4).forEach(s -> running.put(s, client.start(rk45(s))));
    seeds(LOOSE_SEEDS, 4).forEach(s -> running.put(s, client.start(loose(s))));
    seeds(NOISY_SEEDS, 4).forEach(s -> running.put(s, client.start(noisy(s, SHORT))));
    seeds(CLASS_SEEDS, 2).forEach(s -> running.put(s, client.start(classes(s))));
    Map<Long, GrpcTestClient.Result> results = new HashMap<>();
    running.forEach((seed, f) -> results.put(seed, GrpcTestClient.await(f, 300)));
    // Bytes, NFE, rejected trial steps and the steps streamed, as one process solves them.
    single.assertSameSolve(results);
    int rejected = 0;
    for (long seed : seeds(LOOSE_SEEDS, 4)) {
      rejected += results.get(seed).last().getCompleted().getRejectedSteps();
      assertEquals(Solver.SOLVER_RK45, results.get(seed).events().get(0).getStarted().getSolver());
    }
    assertTrue(rejected > 0, "the loose RK45 streams reject trial steps: their count is compared");
    // A sample out of trial steps ends the stream as in one process (the worker says why).
    GrpcTestClient.Result limit = client.generate(rk45(1, 1e-6).toBuilder().setSteps(3).build());
    assertEquals(GrpcStatus.OUT_OF_RANGE, limit.status(), limit.message());
    assertTrue(
        limit.message().contains("RK45 reached its limit of 3 trial steps")
            && limit.message().contains("(the request's steps)"),
        limit.message());
  }

  @Test
  @Order(3)
  void aStoppedReaderPausesItsJobOnTheWorkerWithDeliveryAllAndCoalescesWithLatest()
      throws Exception {
    double[] stepsDuringPause = new double[2];
    GrpcTestClient.Result all = readWithAPause(Delivery.DELIVERY_ALL, stepsDuringPause);
    assertEquals(GrpcStatus.OK, all.status(), all.message());
    assertTrue(stepsDuringPause[0] > 0, "the workers' step counters are read");
    assertEquals(
        stepsDuringPause[0],
        stepsDuringPause[1],
        "the worker stepped the job while its reader had stopped");
    assertEquals(
        IntStream.range(0, PAUSED_STEPS).boxed().toList(),
        all.events().stream()
            .filter(GenerateResponse::hasStep)
            .map(e -> e.getStep().getIndex())
            .toList(),
        "every step, in order");
    assertEquals(0, all.last().getCompleted().getSkippedSteps());
    single.assertRowsIdentical(all, SPREAD_SEEDS, 16);
    GrpcTestClient.Result latest = readWithAPause(Delivery.DELIVERY_LATEST, new double[2]);
    assertEquals(GrpcStatus.OK, latest.status(), latest.message());
    assertTrue(latest.last().getCompleted().getSkippedSteps() > 0, "frames coalesced");
    single.assertRowsIdentical(latest, SPREAD_SEEDS, 16);
  }

  /**
   * 16 samples (seeds SPREAD_SEEDS...) with both tensors, every step: ~100 kB per Step, so a
   * stopped reader congests within steps. The reader stops at step 5 for 2 s; the workers' step
   * counters are read 1 s and 2 s into the stop.
   */
  private GrpcTestClient.Result readWithAPause(Delivery delivery, double[] steps) {
    GenerateRequest req =
        GenerateRequest.newBuilder()
            .setModel(MODEL)
            .setNumSamples(16)
            .setSeed(SPREAD_SEEDS)
            .setSteps(PAUSED_STEPS)
            .setPreviewEvery(1)
            .setDelivery(delivery)
            .setStepContent(StepContent.newBuilder().setState(true).setDenoised(true))
            .build();
    java.util.concurrent.atomic.AtomicBoolean paused =
        new java.util.concurrent.atomic.AtomicBoolean();
    Future<GrpcTestClient.Result> f =
        client.start(
            req,
            0,
            r -> {},
            (request, resp, ev) -> {
              if (ev.hasStep()
                  && ev.getStep().getIndex() == 5
                  && paused.compareAndSet(false, true)) {
                resp.pause();
                io.vertx.core.Vertx.currentContext()
                    .owner()
                    .executeBlocking(
                        () -> {
                          Thread.sleep(1000);
                          steps[0] = workerSteps();
                          Thread.sleep(1000);
                          steps[1] = workerSteps();
                          return null;
                        })
                    .onComplete(ar -> resp.resume());
              }
            });
    return GrpcTestClient.await(f, 120);
  }

  private double workerSteps() throws Exception {
    return worker1.metric("pfgm_engine_steps_total{") + worker2.metric("pfgm_engine_steps_total{");
  }

  private double dropped() throws Exception {
    return worker1.metric("pfgm_engine_jobs_dropped_total{")
        + worker2.metric("pfgm_engine_jobs_dropped_total{");
  }

  private double activeRows() throws Exception {
    return worker1.metric("pfgm_engine_active_rows{") + worker2.metric("pfgm_engine_active_rows{");
  }

  @Test
  @Order(4)
  void killingAWorkerMidStreamCompletesAllItsStreamsWithByteIdenticalSamples() throws Exception {
    // Heun, RK45 and noisy Heun streams interleaved, so placement puts each kind on both workers.
    Map<Long, GenerateRequest> requests = new java.util.LinkedHashMap<>();
    List<Long> heun = seeds(KILL_SEEDS, 16);
    List<Long> adaptive = seeds(TIGHT_SEEDS, 4);
    List<Long> noisy = seeds(NOISY_KILL_SEEDS, 4);
    for (int i = 0; i < heun.size(); i++) {
      requests.put(heun.get(i), request(heun.get(i), LONG));
      if (i < 4) {
        requests.put(adaptive.get(i), tight(adaptive.get(i)));
        requests.put(noisy.get(i), noisy(noisy.get(i), LONG));
      }
    }
    Map<Long, Future<GrpcTestClient.Result>> running = new HashMap<>();
    Map<Long, String> placedOn = new ConcurrentHashMap<>();
    Set<Long> doneBeforeKill = ConcurrentHashMap.newKeySet();
    java.util.concurrent.atomic.AtomicBoolean killed =
        new java.util.concurrent.atomic.AtomicBoolean();
    List<Future<Void>> stepped = new ArrayList<>();
    Promise<Void> rk45UnderWay = Promise.promise();
    stepped.add(rk45UnderWay.future());
    requests.forEach(
        (seed, req) -> {
          Promise<Void> admitted = Promise.promise();
          stepped.add(admitted.future());
          running.put(
              seed,
              client.start(
                  req,
                  Map.of(),
                  ev -> {
                    if (ev.hasStarted()) {
                      placedOn.put(seed, ev.getStarted().getWorker());
                      admitted.tryComplete();
                    } else if (ev.hasStep()
                        && ev.getStep().getIndex() >= 4
                        && adaptive.contains(seed)
                        && worker1.name.equals(placedOn.get(seed))) {
                      rk45UnderWay.tryComplete();
                    } else if (ev.hasCompleted() && !killed.get()) {
                      doneBeforeKill.add(seed);
                    }
                  }));
        });
    // Every stream is admitted, and an RK45 stream on worker 1 is 5 accepted steps in (the Heun
    // streams are about as many evaluations in, past their checkpoint at step 8): RK45 is the
    // shortest, the workers' paces differ on a busy machine, and the client sees steps late.
    GrpcTestClient.await(Future.all(stepped), 120);
    killed.set(true);
    worker1.kill();
    Map<Long, GrpcTestClient.Result> results = new HashMap<>();
    running.forEach((seed, f) -> results.put(seed, GrpcTestClient.await(f, 300)));
    long onKilled = placedOn.values().stream().filter(worker1.name::equals).count();
    assertTrue(onKilled > 0, "no stream ran on the killed worker: " + placedOn);
    for (List<Long> kind : List.of(adaptive, noisy)) {
      // At least one of each kind was cut off by the kill and went on elsewhere.
      assertTrue(
          kind.stream()
              .anyMatch(s -> worker1.name.equals(placedOn.get(s)) && !doneBeforeKill.contains(s)),
          "no stream of " + kind + " was running on the killed worker: " + placedOn);
    }
    single.assertSameSolve(results);
    for (long seed : heun) {
      GrpcTestClient.Result r = results.get(seed);
      // The client sees every step once, in order: a resumed job does not replay what it sent.
      List<Integer> steps =
          r.events().stream()
              .filter(GenerateResponse::hasStep)
              .map(e -> e.getStep().getIndex())
              .toList();
      assertEquals(
          LongStream.range(0, LONG / 50).mapToObj(i -> (int) (i * 50 + 49)).toList(), steps);
    }
    gateway.awaitLog("resumes on " + worker2.name, 1);
    long resumed =
        placedOn.entrySet().stream()
            .filter(e -> worker1.name.equals(e.getValue()) && !doneBeforeKill.contains(e.getKey()))
            .count();
    assertEquals(
        (double) resumed,
        gateway.metric(
            "pfgm_cluster_resumes_total{model=\"" + MODEL + "\",worker=\"" + worker2.name),
        "the gateway's resume counter");
  }

  @Test
  @Order(5)
  void aWorkerThatJoinsLaterTakesNewJobsAtOnce() throws Exception {
    worker3 = NodeProcess.start("worker", ports.get(3), ports.get(7), ports.subList(0, 4));
    worker3.port();
    gateway.awaitLog("worker " + worker3.name + " joined", 60);
    Map<Long, GrpcTestClient.Result> results = run(seeds(LATE_SEEDS, 8), SHORT);
    Set<String> workers = new TreeSet<>();
    results.values().forEach(r -> workers.add(r.events().get(0).getStarted().getWorker()));
    assertTrue(workers.contains(worker3.name), "placed on " + workers);
    single.assertIdentical(results);
  }

  @Test
  @Order(6)
  void ghzThroughTheGatewayEndsEveryCallOk() throws Exception {
    Path ghz = Path.of("..", ".tools", "bin", "ghz");
    // The test command installs ghz first (scripts/tools.sh); a missing ghz is a failed step, not a
    // skip.
    assertTrue(Files.isExecutable(ghz), "ghz is not installed: run scripts/tools.sh ghz");
    Process p =
        new ProcessBuilder(
                ghz.toString(),
                "--insecure",
                "--call=pfgm.v1.Generator/Generate",
                "--data={\"model\":\""
                    + MODEL
                    + "\",\"num_samples\":1,\"steps\":18,"
                    + "\"preview_every\":1,\"step_content\":{\"state\":true}}",
                "--concurrency=16",
                "--total=96",
                "--timeout=0",
                "--format=json",
                "127.0.0.1:" + gateway.port())
            .redirectErrorStream(false)
            .start();
    String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS));
    // Every call OK, and no error of any kind (an empty errorDistribution).
    String summary = report.substring(0, Math.min(report.length(), 1200));
    assertTrue(
        Pattern.compile("\"statusCodeDistribution\":\\s*\\{\\s*\"OK\":\\s*96\\s*}")
            .matcher(report)
            .find(),
        summary);
    assertFalse(report.contains("\"errorDistribution\":{\""), summary);
  }

  @Test
  @Order(7)
  void aGatewayWithoutWorkersIsNotServingAndStreamsEndUnavailable() throws Exception {
    worker2.kill();
    worker3.kill();
    long end = System.nanoTime() + 30_000_000_000L;
    while (GrpcTestClient.await(client.health("pfgm.v1.Generator"), 10)
        != ServingStatus.NOT_SERVING) {
      assertTrue(System.nanoTime() < end, "the gateway still says SERVING");
      Thread.sleep(100);
    }
    GrpcTestClient.Result r = client.generate(request(1, SHORT));
    assertEquals(GrpcStatus.UNAVAILABLE, r.status(), r.message());
    assertTrue(r.message().contains("no worker serves model " + MODEL), r.message());
  }

  private Map<Long, GrpcTestClient.Result> run(List<Long> seeds, int steps) {
    Map<Long, Future<GrpcTestClient.Result>> running = new HashMap<>();
    for (long seed : seeds) {
      running.put(seed, client.start(request(seed, steps)));
    }
    Map<Long, GrpcTestClient.Result> results = new HashMap<>();
    running.forEach((seed, f) -> results.put(seed, GrpcTestClient.await(f, 300)));
    return results;
  }

  private static List<Long> seeds(long first, int n) {
    return LongStream.range(first, first + n).boxed().toList();
  }
}
