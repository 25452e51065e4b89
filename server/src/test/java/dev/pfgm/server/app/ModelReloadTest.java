package dev.pfgm.server.app;

import static dev.pfgm.server.it.GrpcTestClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.ModelInfo;
import dev.pfgm.server.it.GrpcTestClient;
import dev.pfgm.server.it.ServerFixture;
import dev.pfgm.server.runtime.LoadedModel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads of a models folder seen through a real port: added, removed while streaming, broken,
 * replaced.
 */
class ModelReloadTest {

  private static final String MODEL = GrpcTestClient.MODEL;

  @TempDir Path models;

  /**
   * A copy of the shipped exact model in models/name, its card edited (the id is the folder's
   * name).
   */
  private Path copy(String name, Consumer<JsonObject> edit) throws IOException {
    Path from = ServerFixture.MODELS.resolve(MODEL);
    Path to = Files.createDirectories(models.resolve(name));
    for (String f : List.of("model.onnx", "check.json")) {
      Files.copy(from.resolve(f), to.resolve(f));
    }
    JsonObject card = new JsonObject(Files.readString(from.resolve("model.json"))).put("id", name);
    edit.accept(card);
    Files.writeString(to.resolve("model.json"), card.encodePrettily());
    return to;
  }

  private PfgmServer start() throws Exception {
    return PfgmServer.start(
        ServerConfig.builder()
            .set(ConfigKey.MODELS, models)
            .set(ConfigKey.PORT, 0)
            .set(ConfigKey.METRICS_PORT, 0)
            .set(ConfigKey.HOST, "localhost")
            .build());
  }

  private static GenerateRequest request(String model) {
    return GrpcTestClient.request(2, 8).toBuilder().setModel(model).build();
  }

  /** The health status of one model's name, or "NOT_FOUND" when the name is not registered. */
  private static String health(GrpcTestClient client, String model) {
    Future<ServingStatus> f = client.health(PfgmServer.healthName(model));
    try {
      return await(f, 10).name();
    } catch (AssertionError e) {
      assertTrue(String.valueOf(f.cause()).contains("NOT_FOUND"), String.valueOf(f.cause()));
      return "NOT_FOUND";
    }
  }

  private static List<String> listed(GrpcTestClient client) {
    return await(client.listModels(), 10).getModelsList().stream().map(ModelInfo::getId).toList();
  }

  @Test
  void withPollingAFolderAddedIsServedWithoutASignal() throws Exception {
    copy(MODEL, c -> {});
    try (PfgmServer server =
            PfgmServer.start(
                ServerConfig.builder()
                    .set(ConfigKey.MODELS, models)
                    .set(ConfigKey.PORT, 0)
                    .set(ConfigKey.METRICS_PORT, 0)
                    .set(ConfigKey.HOST, "localhost")
                    .set(ConfigKey.MODEL_POLL_SECONDS, 1)
                    .build());
        GrpcTestClient client = new GrpcTestClient(server.port())) {
      // Copied whole, then moved into place: a poll never sees half a folder.
      Path staged = copy("staged", c -> c.put("id", "polled"));
      Files.move(staged, models.resolve("polled"));
      long end = System.nanoTime() + 20_000_000_000L;
      while (!listed(client).contains("polled") && System.nanoTime() < end) {
        Thread.sleep(100);
      }
      assertEquals(List.of(MODEL, "polled"), listed(client));
      assertEquals(GrpcStatus.OK, client.generate(request("polled")).status());
    }
  }

  @Test
  void aFolderAddedIsServedAfterReload() throws Exception {
    copy(MODEL, c -> {});
    try (PfgmServer server = start();
        GrpcTestClient client = new GrpcTestClient(server.port())) {
      assertEquals("SERVING", health(client, MODEL));
      assertEquals("NOT_FOUND", health(client, "extra"));
      copy("extra", c -> {});
      ReloadReport report = server.reload();
      assertEquals(List.of("extra"), report.added());
      assertEquals(List.of(), report.replaced());
      assertEquals(List.of(), report.removed());
      assertEquals(List.of("extra", MODEL), listed(client));
      GrpcTestClient.Result r = client.generate(request("extra"));
      assertEquals(GrpcStatus.OK, r.status(), r.message());
      assertTrue(r.completed());
      assertEquals("SERVING", health(client, "extra"));
      assertTrue(
          server.reload().added().isEmpty(), "a second reload of the same folder changes nothing");
    }
  }

  @Test
  void aRemovedModelFinishesItsRunningStreamRefusesNewOnesThenItsEnginesGo() throws Exception {
    Path folder = copy(MODEL, c -> {});
    copy("other", c -> {});
    try (PfgmServer server = start();
        GrpcTestClient client = new GrpcTestClient(server.port())) {
      LoadedModel old = server.model(MODEL);
      int deployments = server.vertx().deploymentIDs().size();
      Promise<Void> started = Promise.promise();
      Future<GrpcTestClient.Result> running =
          client.start(GrpcTestClient.request(4, 50), Map.of(), e -> started.tryComplete());
      await(started.future(), 30);
      ReloadReport report;
      try (EngineHold hold = EngineHold.of(server, MODEL)) {
        try (Stream<Path> files = Files.list(folder)) {
          for (Path f : files.toList()) {
            Files.delete(f);
          }
        }
        Files.delete(folder);
        report = server.reload();
        assertEquals(List.of(MODEL), report.removed());
        GrpcTestClient.Result refused = client.generate(request(MODEL));
        assertEquals(GrpcStatus.NOT_FOUND, refused.status(), refused.message());
        // The default model (the first served at startup) was the removed one.
        GrpcTestClient.Result unnamed =
            client.generate(GrpcTestClient.request(1, 4).toBuilder().clearModel().build());
        assertEquals(GrpcStatus.NOT_FOUND, unnamed.status(), unnamed.message());
        assertTrue(
            unnamed.message().contains("default model '" + MODEL + "' is not served"),
            unnamed.message());
        assertEquals("NOT_FOUND", health(client, MODEL));
        assertEquals(List.of("other"), listed(client));
        assertEquals("", await(client.listModels(), 10).getDefaultModel());
        assertFalse(running.isComplete(), "the running stream waits for its held engine");
        assertFalse(
            report.drained().isComplete(), "the removed model's engines wait for its stream");
        assertFalse(old.network().closed());
      }
      GrpcTestClient.Result r = await(running, 60);
      assertEquals(GrpcStatus.OK, r.status(), r.message());
      assertTrue(r.completed());
      await(report.drained(), 30);
      assertTrue(old.network().closed(), "the removed model's session is closed once drained");
      assertEquals(
          deployments - 1,
          server.vertx().deploymentIDs().size(),
          "its one engine verticle is undeployed");
      assertNull(server.model(MODEL));
      assertTrue(server.engines(MODEL).isEmpty());
      assertEquals(GrpcStatus.OK, client.generate(request("other")).status());
    }
  }

  @Test
  void aBrokenNewVersionIsRefusedAndTheOldOneKeepsServingUntilAGoodOneReplacesIt()
      throws Exception {
    Path folder = copy(MODEL, c -> {});
    try (PfgmServer server = start();
        GrpcTestClient client = new GrpcTestClient(server.port())) {
      LoadedModel first = server.model(MODEL);
      Files.writeString(folder.resolve("model.json"), "{\"id\": \"" + MODEL + "\", \"shape\": ");
      ReloadReport broken = server.reload();
      assertFalse(broken.changed(), broken.toString());
      assertEquals(1, broken.refusals().size());
      assertTrue(broken.refusals().get(0).contains("keeps serving"), broken.refusals().get(0));
      assertEquals(GrpcStatus.OK, client.generate(request(MODEL)).status());
      assertEquals("SERVING", health(client, MODEL));

      Files.delete(folder.resolve("model.json"));
      Files.delete(folder.resolve("model.onnx"));
      Files.delete(folder.resolve("check.json"));
      Files.delete(folder);
      copy(MODEL, c -> c.put("description", "second version"));
      ReloadReport fixed = server.reload();
      assertEquals(List.of(MODEL), fixed.replaced());
      assertEquals("second version", await(client.listModels(), 10).getModels(0).getDescription());
      await(fixed.drained(), 30);
      assertTrue(first.network().closed(), "the replaced version's session is closed once drained");
      GrpcTestClient.Result r = client.generate(request(MODEL));
      assertEquals(GrpcStatus.OK, r.status(), r.message());
      assertEquals(MODEL, r.events().get(0).getStarted().getModel());
      assertEquals("SERVING", health(client, MODEL));
    }
  }
}
