package dev.pfgm.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.Solver;
import dev.pfgm.server.app.ConfigKey;
import dev.pfgm.server.app.PfgmServer;
import dev.pfgm.server.sampler.SampleSeeds;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A latent-class model (a class-conditional network whose requests name no class) over a real port:
 * each sample is the sample the conditional network gives for the class its seed draws, byte for
 * byte. The oracle is the same network served as a conditional model, asked for that class.
 */
class LatentClassTest {

  static final String CONDITIONAL = "mnist-unet-cond-edm";
  static final String LATENT = "latent-cond-edm";
  // Not uniform, with a class never drawn: a row given the wrong class shows in its bytes.
  static final double[] PRIOR = {0.3, 0.2, 0, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05};

  @TempDir Path models;

  /** Installs both folders into the temporary models folder and serves it. */
  PfgmServer serve() throws Exception {
    for (String id : new String[] {CONDITIONAL, LATENT}) {
      Path to = Files.createDirectories(models.resolve(id));
      for (String f : new String[] {"model.onnx", "model.json", "check.json"}) {
        Files.copy(ServerFixture.MODELS.resolve(CONDITIONAL).resolve(f), to.resolve(f));
      }
    }
    Path card = models.resolve(LATENT).resolve("model.json");
    JsonObject c = new JsonObject(Files.readString(card));
    JsonArray prior = new JsonArray();
    for (double p : PRIOR) {
      prior.add(p);
    }
    c.put("id", LATENT).put("class_labels", new JsonArray()).put("latent_class_prior", prior);
    Files.writeString(card, c.encodePrettily());
    return PfgmServer.start(ServerFixture.builder().set(ConfigKey.MODELS, models).build());
  }

  static GenerateRequest.Builder request(String model, long seed, int samples) {
    return GenerateRequest.newBuilder()
        .setModel(model)
        .setSeed(seed)
        .setNumSamples(samples)
        .setSteps(4)
        .setSolver(Solver.SOLVER_HEUN);
  }

  @Test
  void eachSampleIsTheConditionalSampleOfTheClassItsSeedDraws() throws Exception {
    try (PfgmServer server = serve();
        GrpcTestClient client = new GrpcTestClient(server.port())) {
      long base = 4242;
      int n = 12;
      GrpcTestClient.Result latent = client.generate(request(LATENT, base, n).build());
      assertEquals(GrpcStatus.OK, latent.status(), latent.message());
      ByteString all = latent.last().getCompleted().getSamples().getData();
      int bytes = all.size() / n;
      Set<Integer> classes = new HashSet<>();
      for (int i = 0; i < n; i++) {
        int c = SampleSeeds.latentClass(PRIOR, SampleSeeds.seedOf(base, i));
        classes.add(c);
        GrpcTestClient.Result alone =
            client.generate(
                request(CONDITIONAL, SampleSeeds.seedOf(base, i), 1).setClassLabel(c).build());
        assertEquals(GrpcStatus.OK, alone.status(), alone.message());
        assertEquals(
            alone.last().getCompleted().getSamples().getData(),
            all.substring(i * bytes, (i + 1) * bytes),
            "sample " + i + " (class " + c + ")");
      }
      assertTrue(classes.size() >= 4, "twelve seeds draw several classes: " + classes);
    }
  }

  @Test
  void aRequestNamingAClassIsRefusedAndTheModelListsNone() throws Exception {
    try (PfgmServer server = serve();
        GrpcTestClient client = new GrpcTestClient(server.port())) {
      GrpcTestClient.Result r = client.generate(request(LATENT, 1, 1).setClassLabel(3).build());
      assertEquals(GrpcStatus.INVALID_ARGUMENT, r.status());
      assertTrue(r.message().contains("class_label must be unset"), r.message());
      assertTrue(r.message().contains("latent class"), r.message());
      var info =
          GrpcTestClient.await(client.listModels(), 20).getModelsList().stream()
              .filter(m -> m.getId().equals(LATENT))
              .findFirst()
              .orElseThrow();
      assertEquals(0, info.getClassLabelsCount());
    }
  }
}
