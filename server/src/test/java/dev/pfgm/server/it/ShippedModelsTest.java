package dev.pfgm.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.ListModelsResponse;
import dev.pfgm.proto.v1.ModelInfo;
import dev.pfgm.server.app.PfgmServer;
import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every shipped model loads (card checked against graph and check.json) and generates. */
class ShippedModelsTest {

  static List<String> shippedIds() throws IOException {
    try (Stream<java.nio.file.Path> s = Files.list(ServerFixture.MODELS)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("model.json")))
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    }
  }

  @Test
  void everyShippedModelLoadsAndGenerates() throws Exception {
    List<String> ids = shippedIds();
    assertTrue(ids.size() >= 6, "shipped models: " + ids);
    try (PfgmServer server = ServerFixture.start();
        GrpcTestClient client = new GrpcTestClient(server.port())) {
      assertEquals(List.of(), server.refusals(), "no shipped model may be refused");
      ListModelsResponse listed = GrpcTestClient.await(client.listModels(), 30);
      assertEquals(ids, listed.getModelsList().stream().map(ModelInfo::getId).toList());
      for (ModelInfo m : listed.getModelsList()) {
        GenerateRequest.Builder req =
            GenerateRequest.newBuilder()
                .setModel(m.getId())
                .setNumSamples(2)
                .setSeed(42)
                .setSteps(6)
                .setPreviewEvery(3);
        if (m.getClassLabelsCount() > 0) {
          req.setClassLabel(m.getClassLabelsCount() - 1);
        }
        GrpcTestClient.Result r = client.generate(req.build());
        assertEquals(GrpcStatus.OK, r.status(), m.getId() + ": " + r.message());
        for (float[] sample : ServerFixture.rows(r.last().getCompleted().getSamples())) {
          for (float v : sample) {
            assertTrue(Float.isFinite(v) && Math.abs(v) < 10, m.getId() + " produced " + v);
          }
        }
      }
    }
  }
}
