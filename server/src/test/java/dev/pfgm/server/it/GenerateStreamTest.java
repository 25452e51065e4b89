package dev.pfgm.server.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.Completed;
import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.proto.v1.Started;
import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.app.PfgmServer;
import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** End to end over a real port with the shipped exact-field models. */
class GenerateStreamTest {

  static PfgmServer server;
  static GrpcTestClient client;
  static double[][] data;

  @BeforeAll
  static void start() throws Exception {
    server = ServerFixture.start();
    client = new GrpcTestClient(server.port());
    data = MnistSubset.load(ServerFixture.MODELS);
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
  }

  @Test
  void streamIsStartedThenEveryKthStepThenCompleted() {
    GrpcTestClient.Result r =
        client.generate(
            GenerateRequest.newBuilder()
                .setModel("mnist-exact-d128")
                .setNumSamples(2)
                .setSeed(11)
                .setSteps(18)
                .setPreviewEvery(4)
                .setStepContent(
                    StepContent.newBuilder().setState(true).setDenoised(true).setDenoisedPng(true))
                .build());
    assertEquals(GrpcStatus.OK, r.status(), r.message());
    List<GenerateResponse> ev = r.events();
    // Steps 3, 7, 11, 15 and the last, 17.
    assertEquals(1 + 5 + 1, ev.size());
    Started started = ev.get(0).getStarted();
    assertEquals(List.of(11L, 12L), started.getSeedsList());
    assertEquals(19, started.getSigmasCount());
    assertEquals(35, started.getNfe());
    assertEquals(128.0, started.getAugmentDim());
    assertEquals(List.of(2, 1, 28, 28), started.getInitialState().getShapeList());
    int[] expectedIndex = {3, 7, 11, 15, 17};
    for (int k = 0; k < 5; k++) {
      var step = ev.get(1 + k).getStep();
      assertEquals(expectedIndex[k], step.getIndex());
      assertEquals(started.getSigmas(step.getIndex() + 1), step.getSigma());
      assertEquals(step.getSigma() * Math.sqrt(128), step.getR(), 1e-12);
      assertEquals(2, step.getDenoisedPngCount());
      assertEquals(List.of(2, 1, 28, 28), step.getState().getShapeList());
    }
    assertEquals(35, ev.get(ev.size() - 1).getCompleted().getNfe());
    // The last Step's state is the final sample.
    assertArrayEquals(
        ServerFixture.rows(ev.get(5).getStep().getState())[1],
        ServerFixture.rows(r.last().getCompleted().getSamples())[1]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mnist-exact-d128", "mnist-exact-edm"})
  void everyFinalSampleLandsOnADataPoint(String model) {
    GrpcTestClient.Result r =
        client.generate(
            GenerateRequest.newBuilder().setModel(model).setNumSamples(8).setSeed(2024).build());
    assertEquals(GrpcStatus.OK, r.status(), r.message());
    Completed done = r.last().getCompleted();
    for (float[] sample : ServerFixture.rows(done.getSamples())) {
      double best = Double.MAX_VALUE;
      for (double[] y : data) {
        double worst = 0;
        for (int k = 0; k < y.length; k++) {
          worst = Math.max(worst, Math.abs(sample[k] - y[k]));
        }
        best = Math.min(best, worst);
      }
      assertTrue(best <= 1e-3, model + ": nearest data point is " + best + " away (max norm)");
    }
    assertEquals(8, done.getPngCount());
  }

  @Test
  void sameRequestTwiceGivesIdenticalBytes() {
    GenerateRequest req =
        GenerateRequest.newBuilder()
            .setModel("mnist-exact-edm")
            .setNumSamples(3)
            .setSeed(99)
            .setPreviewEvery(1)
            .setStepContent(StepContent.newBuilder().setState(true))
            .build();
    GrpcTestClient.Result a = client.generate(req);
    GrpcTestClient.Result b = client.generate(req);
    assertEquals(a.events().size(), b.events().size());
    for (int i = 0; i < a.events().size() - 1; i++) {
      assertEquals(a.events().get(i), b.events().get(i), "event " + i);
    }
    assertEquals(
        a.last().getCompleted().getSamples().getData(),
        b.last().getCompleted().getSamples().getData());
    assertEquals(a.last().getCompleted().getPngList(), b.last().getCompleted().getPngList());
  }

  @Test
  void sampleOfALargerRequestEqualsTheSingleSampleRequestWithItsSeed() {
    long seed = 5_000_000_000L;
    GrpcTestClient.Result four =
        client.generate(
            GenerateRequest.newBuilder()
                .setModel("mnist-exact-d128")
                .setNumSamples(4)
                .setSeed(seed)
                .setSteps(12)
                .build());
    float[][] batch = ServerFixture.rows(four.last().getCompleted().getSamples());
    for (int i = 0; i < 4; i++) {
      GrpcTestClient.Result one =
          client.generate(
              GenerateRequest.newBuilder()
                  .setModel("mnist-exact-d128")
                  .setNumSamples(1)
                  .setSeed(seed + i)
                  .setSteps(12)
                  .build());
      assertArrayEquals(
          batch[i], ServerFixture.rows(one.last().getCompleted().getSamples())[0], "sample " + i);
    }
  }

  @Test
  void seedZeroMeansTheServerPicksAndReportsOne() {
    GrpcTestClient.Result r =
        client.generate(
            GenerateRequest.newBuilder()
                .setModel("mnist-exact-d128")
                .setNumSamples(2)
                .setSteps(4)
                .build());
    Started s = r.events().get(0).getStarted();
    assertTrue(s.getSeeds(0) != 0);
    assertEquals(s.getSeeds(0) + 1, s.getSeeds(1));
  }
}
