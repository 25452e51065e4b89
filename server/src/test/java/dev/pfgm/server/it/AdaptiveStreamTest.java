package dev.pfgm.server.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.Completed;
import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.proto.v1.Solver;
import dev.pfgm.proto.v1.Started;
import dev.pfgm.proto.v1.Step;
import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.app.PfgmServer;
import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SOLVER_RK45 and noise injection end to end over a real port, on the exact-field models. */
class AdaptiveStreamTest {

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

  static GenerateRequest.Builder rk45(String model) {
    return GenerateRequest.newBuilder().setModel(model).setSolver(Solver.SOLVER_RK45);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mnist-exact-d128", "mnist-exact-edm"})
  void everyRk45SampleLandsOnADataPoint(String model) {
    GrpcTestClient.Result r = client.generate(rk45(model).setNumSamples(6).setSeed(2024).build());
    assertEquals(GrpcStatus.OK, r.status(), r.message());
    for (float[] sample : ServerFixture.rows(r.last().getCompleted().getSamples())) {
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
  }

  @Test
  void startedSaysAdaptiveAndEveryAcceptedStepIsStreamedDownToSigmaZero() {
    GrpcTestClient.Result r =
        client.generate(
            rk45("mnist-exact-d128")
                .setNumSamples(3)
                .setSeed(17)
                .setRtol(1e-4)
                .setAtol(1e-4)
                .setPreviewEvery(1)
                .setStepContent(StepContent.newBuilder().setState(true))
                .build());
    assertEquals(GrpcStatus.OK, r.status(), r.message());
    List<GenerateResponse> ev = r.events();
    Started started = ev.get(0).getStarted();
    assertEquals(Solver.SOLVER_RK45, started.getSolver());
    assertEquals(0, started.getSteps());
    assertEquals(0, started.getSigmasCount());
    assertEquals(0, started.getNfe());
    assertEquals(1e-4, started.getRtol());
    assertEquals(1000, started.getStepLimit());
    Completed done = r.last().getCompleted();
    int steps = ev.size() - 2;
    assertTrue(steps >= 5, "steps " + steps);
    double previous = Double.MAX_VALUE;
    for (int i = 0; i < steps; i++) {
      Step step = ev.get(1 + i).getStep();
      assertEquals(i, step.getIndex());
      assertTrue(step.getSigma() < previous, "sigma falls");
      previous = step.getSigma();
      assertEquals(3, step.getSampleSigmasCount());
      assertEquals(step.getSigma(), java.util.Collections.max(step.getSampleSigmasList()));
    }
    Step last = ev.get(steps).getStep();
    assertEquals(0.0, last.getSigma());
    assertEquals(done.getNfe(), last.getNfe());
    assertEquals(
        last.getState().getData(), done.getSamples().getData(), "the last step is the sample");
    // 2 evaluations to start, 6 per trial step: the busiest sample's count.
    assertEquals(2, done.getNfe() % 6);
  }

  @Test
  void rk45SampleOfALargerRequestEqualsTheSingleSampleRequestWithItsSeed() {
    long seed = 31;
    GrpcTestClient.Result three =
        client.generate(rk45("mnist-exact-edm").setNumSamples(3).setSeed(seed).build());
    float[][] batch = ServerFixture.rows(three.last().getCompleted().getSamples());
    for (int i = 0; i < 3; i++) {
      GrpcTestClient.Result one =
          client.generate(rk45("mnist-exact-edm").setNumSamples(1).setSeed(seed + i).build());
      assertArrayEquals(
          batch[i], ServerFixture.rows(one.last().getCompleted().getSamples())[0], "sample " + i);
    }
  }

  @Test
  void noiseInjectionIsReproducibleBySeedAndOffByDefault() {
    GenerateRequest.Builder req =
        GenerateRequest.newBuilder()
            .setModel("mnist-exact-d128")
            .setNumSamples(2)
            .setSeed(5)
            .setSteps(12)
            .setPreviewEvery(1)
            .setStepContent(StepContent.newBuilder().setState(true));
    GrpcTestClient.Result plain = client.generate(req.build());
    GrpcTestClient.Result a = client.generate(req.clone().setNoiseInjection(0.2).build());
    GrpcTestClient.Result b = client.generate(req.clone().setNoiseInjection(0.2).build());
    assertEquals(GrpcStatus.OK, a.status(), a.message());
    assertEquals(0.2, a.events().get(0).getStarted().getNoiseInjection());
    assertEquals(0.0, plain.events().get(0).getStarted().getNoiseInjection());
    for (int i = 1; i < a.events().size(); i++) {
      assertEquals(a.events().get(i).getStep(), b.events().get(i).getStep(), "event " + i);
    }
    // The state after the first step moved; the exact field may still pull both onto one point.
    assertNotEquals(
        a.events().get(1).getStep().getState().getData(),
        plain.events().get(1).getStep().getState().getData());
    Completed ca = a.last().getCompleted();
    assertEquals(plain.last().getCompleted().getNfe(), ca.getNfe(), "noise costs no evaluation");
  }

  /**
   * RK45 streams share the engine's network calls with Heun streams (every row has its own sigma):
   * each ends as it does alone, within the float32 tolerance the schedule solvers have over a real
   * port (StreamingUnderLoadTest); its steps and NFE are the same.
   */
  @Test
  void concurrentRk45AndHeunStreamsEndAsTheirSerialRuns() throws Exception {
    List<GenerateRequest> requests = new java.util.ArrayList<>();
    for (int i = 0; i < 16; i++) {
      GenerateRequest.Builder b =
          GenerateRequest.newBuilder()
              .setModel("mnist-exact-edm")
              .setSeed(700 + i)
              .setNumSamples(2);
      requests.add(
          i % 2 == 0
              ? b.setSolver(Solver.SOLVER_RK45).setRtol(i % 4 == 0 ? 1e-3 : 1e-4).build()
              : b.setSteps(10 + i).build());
    }
    List<Completed> serial = new java.util.ArrayList<>();
    for (GenerateRequest req : requests) {
      serial.add(client.generate(req).last().getCompleted());
    }
    List<io.vertx.core.Future<GrpcTestClient.Result>> together = new java.util.ArrayList<>();
    for (GenerateRequest req : requests) {
      together.add(client.start(req.toBuilder().setPreviewEvery(1).build(), 0, r -> {}));
    }
    double worst = 0;
    for (int i = 0; i < requests.size(); i++) {
      GrpcTestClient.Result r = GrpcTestClient.await(together.get(i), 120);
      assertEquals(GrpcStatus.OK, r.status(), r.message());
      Completed c = r.last().getCompleted();
      assertEquals(serial.get(i).getNfe(), c.getNfe(), "request " + i);
      assertEquals(serial.get(i).getRejectedSteps(), c.getRejectedSteps(), "request " + i);
      float[][] a = ServerFixture.rows(c.getSamples());
      float[][] b = ServerFixture.rows(serial.get(i).getSamples());
      for (int j = 0; j < a.length; j++) {
        for (int k = 0; k < a[j].length; k++) {
          worst = Math.max(worst, Math.abs(a[j][k] - b[j][k]));
        }
      }
    }
    assertTrue(worst <= 1e-5, "max |concurrent - serial| = " + worst);
  }
}
