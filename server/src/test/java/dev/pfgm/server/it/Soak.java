package dev.pfgm.server.it;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.app.PfgmServer;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Thousands of mixed Generate streams against one server on loopback - normal, cancelled, past
 * their deadline, disconnected, stalled readers - then a look at what is left: heap after GC,
 * threads, open streams, active rows, queued bytes, and a fixed-seed result compared byte for byte
 * with the same request before the soak.
 *
 * <p>{@code scripts/soak.sh [streams]} runs it on its own; {@code SoakTest} runs a short one.
 */
final class Soak {

  static final String MODEL = "mnist-exact-d128";

  /** Before and after. */
  record Report(
      int streams,
      long heapBefore,
      long heapAfter,
      int threadsBefore,
      int threadsAfter,
      int openStreams,
      int activeRows,
      long queuedBytes,
      boolean sameResult,
      int okStreams) {

    @Override
    public String toString() {
      return String.format(
          "%d streams (%d completed OK): heap after GC %.1f -> %.1f MiB, threads %d -> %d,"
              + " open streams %d, active rows %d, queued bytes %d, fixed-seed result identical: %s",
          streams,
          okStreams,
          heapBefore / 1048576.0,
          heapAfter / 1048576.0,
          threadsBefore,
          threadsAfter,
          openStreams,
          activeRows,
          queuedBytes,
          sameResult);
    }
  }

  private Soak() {}

  static GenerateRequest fixedSeed() {
    return GenerateRequest.newBuilder()
        .setModel(MODEL)
        .setNumSamples(4)
        .setSteps(18)
        .setSeed(424242)
        .build();
  }

  static Report run(PfgmServer server, int streams) throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    int ok = 0;
    byte[] before;
    long heapBefore;
    int threadsBefore;
    try (GrpcTestClient client = new GrpcTestClient(server.port())) {
      before =
          client.generate(fixedSeed()).last().getCompleted().getSamples().getData().toByteArray();
      settle(server);
      heapBefore = heapAfterGc();
      threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
      for (int done = 0; done < streams; done += 32) {
        ok += wave(server, client, random, Math.min(32, streams - done));
      }
    }
    settle(server);
    byte[] after;
    try (GrpcTestClient client = new GrpcTestClient(server.port())) {
      after =
          client.generate(fixedSeed()).last().getCompleted().getSamples().getData().toByteArray();
    }
    settle(server);
    return new Report(
        streams,
        heapBefore,
        heapAfterGc(),
        threadsBefore,
        ManagementFactory.getThreadMXBean().getThreadCount(),
        server.openStreams(),
        server.activeRows(MODEL),
        server.queuedResponseBytes(),
        java.util.Arrays.equals(before, after),
        ok);
  }

  /** One wave of concurrent streams of every kind; returns how many completed OK. */
  private static int wave(PfgmServer server, GrpcTestClient client, SplittableRandom random, int n)
      throws Exception {
    List<Future<GrpcTestClient.Result>> results = new ArrayList<>();
    try (RawGrpc raw = new RawGrpc(server.port())) {
      for (int i = 0; i < n; i++) {
        GenerateRequest.Builder req =
            GenerateRequest.newBuilder()
                .setModel(MODEL)
                .setSeed(random.nextLong(1, 1L << 40))
                .setNumSamples(1 + random.nextInt(8))
                .setPreviewEvery(1)
                .setStepContent(
                    StepContent.newBuilder()
                        .setDenoised(random.nextBoolean())
                        .setDenoisedPng(true));
        switch (random.nextInt(5)) {
          case 0 ->
              results.add(client.start(req.setSteps(4 + random.nextInt(20)).build(), 0, r -> {}));
          case 1 ->
              client.start(
                  req.setSteps(400).build(),
                  0,
                  r -> {},
                  (request, response, event) -> {
                    if (event.hasStep()) {
                      request.cancel();
                    }
                  });
          case 2 -> client.start(req.setSteps(1000).build(), 1 + random.nextInt(50), r -> {});
          default -> {
            // Disconnected and stalled readers: a raw stream that is never read, its connection
            // closed below.
            HttpClientRequest r = RawGrpc.await(raw.request(RawGrpc.GENERATE, h -> {}));
            r.response().onSuccess(HttpClientResponse::pause);
            r.end(
                RawGrpc.frame(
                    req.setSteps(200)
                        .setStepContent(StepContent.newBuilder().setState(true).setDenoised(true))
                        .build()
                        .toByteArray()));
          }
        }
      }
      Thread.sleep(random.nextInt(200));
    }
    int ok = 0;
    for (Future<GrpcTestClient.Result> f : results) {
      if (GrpcTestClient.await(f, 120).status() == GrpcStatus.OK) {
        ok++;
      }
    }
    return ok;
  }

  /** Waits until nothing is open or queued (60 s at most; the report says what is left). */
  private static void settle(PfgmServer server) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while ((server.openStreams() > 0
            || server.activeRows(MODEL) > 0
            || server.queuedResponseBytes() > 0)
        && System.nanoTime() < end) {
      Thread.sleep(20);
    }
  }

  static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  public static void main(String[] args) throws Exception {
    int streams = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    try (PfgmServer server = ServerFixture.start()) {
      System.out.println(run(server, streams));
    }
  }
}
