package dev.pfgm.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.Solver;
import dev.pfgm.server.app.PfgmServer;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A sample's bytes do not depend on which rows share its network calls (CPU): 32 concurrent mixed
 * streams over a real port (Heun, Euler, RK45, noise injection), each compared byte for byte with
 * the same request run alone. The trained graphs compute ln σ so that a row's output is
 * bit-identical at any batch position (models/README.md, "Batch invariance"); before that, a row's
 * output moved by up to 7e-7 per call with its position, and this test failed on 9 of 32 streams.
 */
class BatchInvarianceTest {

  // Trained networks (where ONNX Runtime's kernels could round by batch position), their quantized
  // variants (int8 kernels), D = 1 (heavy-tailed prior) and the exact fields. Eleven entries, so
  // that i % 11 and the other parameters' periods (2, 3, 4, 5) give 32 different combinations.
  static final String[] MODELS = {
    "mnist-unet-d128",
    "mnist-unet-edm",
    "mnist-unet-d2048",
    "mnist-unet-cond-edm",
    "mnist-exact-d128",
    "mnist-unet-d128-int8",
    "mnist-unet-d128-w6",
    "mnist-exact-edm",
    "mnist-unet-d1",
    "mnist-unet-d16",
    "mnist-unet-d128",
  };

  static GenerateRequest request(int i) {
    String model = MODELS[i % MODELS.length];
    GenerateRequest.Builder b =
        GenerateRequest.newBuilder()
            .setModel(model)
            .setSeed(1000L + 37L * i)
            .setNumSamples(1 + i % 4)
            .setSteps(4 + i % 5 * 2)
            .setSolver(i % 2 == 0 ? Solver.SOLVER_HEUN : Solver.SOLVER_EULER)
            .setPreviewEvery(i % 3);
    if (model.contains("cond")) {
      b.setClassLabel(i % 10);
    }
    if (i % 7 == 3) { // adaptive: no schedule, its trial steps share the calls like any row
      b.setSolver(Solver.SOLVER_RK45).clearSteps().setRtol(1e-2).setAtol(1e-2);
    } else if (i % 7 == 5) { // the seeded noise-injection experiment
      b.setNoiseInjection(0.1);
    }
    return b.build();
  }

  static ByteString samples(GrpcTestClient.Result r) {
    assertEquals(GrpcStatus.OK, r.status(), r.message());
    return r.last().getCompleted().getSamples().getData();
  }

  @Test
  void thirtyTwoConcurrentMixedStreamsGiveTheBytesOfEachRequestAlone() throws Exception {
    try (PfgmServer server = ServerFixture.start();
        GrpcTestClient client = new GrpcTestClient(server.port())) {
      List<ByteString> alone = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        alone.add(samples(client.generate(request(i))));
      }
      List<Future<GrpcTestClient.Result>> together = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        together.add(client.start(request(i)));
      }
      List<String> differing = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        ByteString got = samples(GrpcTestClient.await(together.get(i), 180));
        assertEquals(alone.get(i).size(), got.size(), "stream " + i);
        if (!got.equals(alone.get(i))) {
          differing.add(i + " (" + request(i).getModel() + ")");
        }
      }
      assertTrue(
          differing.isEmpty(), "streams whose bytes differ from their run alone: " + differing);
    }
  }
}
