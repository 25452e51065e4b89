package dev.pfgm.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.ListModelsResponse;
import dev.pfgm.proto.v1.StepContent;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestServer.class)
class GeneratorClientTest {

  /**
   * Long enough to be cut short: 1000 Heun steps for 64 samples, every step streamed with tensors.
   */
  private static GenerateRequest longRequest(int steps) {
    return GenerateRequest.newBuilder()
        .setModel(TestServer.MODEL)
        .setNumSamples(64)
        .setSteps(steps)
        .setPreviewEvery(1)
        .setStepContent(
            StepContent.newBuilder().setState(true).setDenoised(true).setDenoisedPng(true))
        .build();
  }

  private static CallFailed failure(Generation g) throws InterruptedException {
    try {
      g.result().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return assertInstanceOf(CallFailed.class, e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the call did not end within 30 s", e);
    }
    throw new AssertionError("the call completed, expected a failure");
  }

  @Test
  void eventsArriveAsStartedThenStepsThenCompleted(TestServer.Running server) throws Exception {
    List<GenerationEvent> events = new CopyOnWriteArrayList<>();
    try (GeneratorClient client = GeneratorClient.create(server.clientOptions())) {
      GenerateRequest req =
          GenerateRequest.newBuilder()
              .setModel(TestServer.MODEL)
              .setNumSamples(2)
              .setSteps(6)
              .setPreviewEvery(2)
              .setSeed(3)
              .build();
      GenerationEvent.Completed done =
          client
              .generate(req, Duration.ofSeconds(30), events::add)
              .result()
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      assertInstanceOf(GenerationEvent.Started.class, events.get(0));
      assertEquals(done, events.get(events.size() - 1));
      List<Integer> steps =
          events.subList(1, events.size() - 1).stream()
              .map(e -> ((GenerationEvent.Step) e).proto().getIndex())
              .toList();
      assertEquals(List.of(1, 3, 5), steps);
      assertEquals(2 * 28 * 28, Tensors.floats(done.proto().getSamples()).length);
    }
  }

  @Test
  void cancellingMidStreamFreesTheServersRows(TestServer.Running server) throws Exception {
    try (GeneratorClient client = GeneratorClient.create(server.clientOptions())) {
      Generation[] g = new Generation[1];
      java.util.concurrent.CountDownLatch firstStep = new java.util.concurrent.CountDownLatch(1);
      g[0] =
          client.generate(
              longRequest(400),
              null,
              e -> {
                if (e instanceof GenerationEvent.Step) {
                  firstStep.countDown();
                }
              });
      assertTrue(firstStep.await(30, TimeUnit.SECONDS), "no Step event within 30 s");
      assertTrue(server.server().activeRows(TestServer.MODEL) > 0, "the job should be running");
      g[0].cancel();
      assertEquals(GrpcStatus.CANCELLED, failure(g[0]).status());
      server.awaitIdle(Duration.ofSeconds(10));
    }
  }

  @Test
  void tooShortDeadlineEndsWithDeadlineExceeded(TestServer.Running server) throws Exception {
    try (GeneratorClient client = GeneratorClient.create(server.clientOptions())) {
      Generation g = client.generate(longRequest(1000), Duration.ofMillis(150), e -> {});
      assertEquals(GrpcStatus.DEADLINE_EXCEEDED, failure(g).status());
      server.awaitIdle(Duration.ofSeconds(10));
    }
  }

  @Test
  void unknownModelFailsWithNotFound(TestServer.Running server) throws Exception {
    try (GeneratorClient client = GeneratorClient.create(server.clientOptions())) {
      Generation g =
          client.generate(
              GenerateRequest.newBuilder().setModel("no-such-model").build(), null, e -> {});
      assertEquals(GrpcStatus.NOT_FOUND, failure(g).status());
    }
  }

  @Test
  void listModelsNamesTheShippedModelsAndTheDefault(TestServer.Running server) throws Exception {
    try (GeneratorClient client = GeneratorClient.create(server.clientOptions())) {
      ListModelsResponse models =
          client.listModels().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      List<String> shipped;
      try (var dirs = java.nio.file.Files.list(TestServer.MODELS_DIR)) {
        shipped =
            dirs.filter(d -> java.nio.file.Files.isRegularFile(d.resolve("model.json")))
                .map(d -> d.getFileName().toString())
                .sorted()
                .toList();
      }
      assertEquals(shipped, models.getModelsList().stream().map(m -> m.getId()).toList());
      assertEquals(dev.pfgm.server.app.ServerConfig.DEFAULT_MODEL, models.getDefaultModel());
      assertEquals(List.of(1, 28, 28), models.getModels(0).getShapeList());
    }
  }
}
