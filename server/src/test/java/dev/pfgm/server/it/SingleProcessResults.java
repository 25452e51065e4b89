package dev.pfgm.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.server.app.PfgmServer;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one process (--role=all, in this JVM) generates for one-sample requests, by seed: the bytes
 * a cluster's results must equal.
 */
final class SingleProcessResults {

  private final Map<Long, ByteString> samples = new HashMap<>();

  /** Runs every request (one sample each, its seed as the key) on a server of its own. */
  SingleProcessResults(List<GenerateRequest> requests) throws Exception {
    try (PfgmServer one = ServerFixture.start();
        GrpcTestClient c = new GrpcTestClient(one.port())) {
      List<Future<GrpcTestClient.Result>> runs = requests.stream().map(c::start).toList();
      for (int i = 0; i < runs.size(); i++) {
        GrpcTestClient.Result r = GrpcTestClient.await(runs.get(i), 300);
        assertEquals(GrpcStatus.OK, r.status(), r.message());
        samples.put(requests.get(i).getSeed(), r.last().getCompleted().getSamples().getData());
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
