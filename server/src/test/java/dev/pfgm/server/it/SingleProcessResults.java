package dev.pfgm.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.pfgm.proto.v1.Completed;
import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.server.app.PfgmServer;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one process (--role=all, in this JVM) generates for requests, by seed: the bytes a cluster's
 * results must equal, with the NFE, the rejected trial steps (RK45) and the indices of the steps
 * streamed.
 */
final class SingleProcessResults {

  private final Map<Long, ByteString> samples = new HashMap<>();
  private final Map<Long, Completed> completed = new HashMap<>();
  private final Map<Long, List<Integer>> steps = new HashMap<>();

  /** Runs every request (its seed as the key) on a server of its own. */
  SingleProcessResults(List<GenerateRequest> requests) throws Exception {
    try (PfgmServer one = ServerFixture.start();
        GrpcTestClient c = new GrpcTestClient(one.port())) {
      List<Future<GrpcTestClient.Result>> runs = requests.stream().map(c::start).toList();
      for (int i = 0; i < runs.size(); i++) {
        GrpcTestClient.Result r = GrpcTestClient.await(runs.get(i), 300);
        assertEquals(GrpcStatus.OK, r.status(), r.message());
        long seed = requests.get(i).getSeed();
        samples.put(seed, r.last().getCompleted().getSamples().getData());
        completed.put(seed, r.last().getCompleted());
        steps.put(seed, stepIndices(r));
      }
    }
  }

  /** Each stream ended OK with the samples one process made for its seed. */
  void assertIdentical(Map<Long, GrpcTestClient.Result> results) {
    results.forEach(
        (seed, r) -> {
          assertEquals(GrpcStatus.OK, r.status(), "seed " + seed + ": " + r.message());
          assertEquals(
              samples.get(seed),
              r.last().getCompleted().getSamples().getData(),
              "seed " + seed + ": samples differ from the single-process run");
        });
  }

  /**
   * Each stream ended OK with the single process's samples, NFE and rejected trial steps, and took
   * the same steps (for RK45: the same accepted steps).
   */
  void assertSameSolve(Map<Long, GrpcTestClient.Result> results) {
    assertIdentical(results);
    results.forEach(
        (seed, r) -> {
          Completed c = r.last().getCompleted();
          assertEquals(completed.get(seed).getNfe(), c.getNfe(), "seed " + seed + ": nfe");
          assertEquals(
              completed.get(seed).getRejectedSteps(),
              c.getRejectedSteps(),
              "seed " + seed + ": rejected_steps");
          Completed one = completed.get(seed);
          // Every step is streamed or counted skipped (DELIVERY_LATEST coalesces a slow reader's
          // frames, differently from run to run); without skips, the very same indices.
          assertEquals(
              steps.get(seed).size() + one.getSkippedSteps(),
              stepIndices(r).size() + c.getSkippedSteps(),
              "seed " + seed + ": steps streamed or skipped");
          if (one.getSkippedSteps() == 0 && c.getSkippedSteps() == 0) {
            assertEquals(steps.get(seed), stepIndices(r), "seed " + seed + ": step indices");
          }
        });
  }

  /** The nfe the single process reported for a seed. */
  int nfe(long seed) {
    return completed.get(seed).getNfe();
  }

  static List<Integer> stepIndices(GrpcTestClient.Result r) {
    return r.events().stream()
        .filter(GenerateResponse::hasStep)
        .map(e -> e.getStep().getIndex())
        .toList();
  }

  /** Sample i of an n-sample stream of seed s is the one-sample result of seed s + i. */
  void assertRowsIdentical(GrpcTestClient.Result r, long seed, int n) {
    ByteString data = r.last().getCompleted().getSamples().getData();
    int row = data.size() / n;
    for (int i = 0; i < n; i++) {
      assertEquals(
          samples.get(seed + i),
          data.substring(i * row, (i + 1) * row),
          "sample " + i + " differs from the single-process run");
    }
  }
}
