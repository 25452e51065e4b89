package dev.pfgm.server.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pfgm.proto.internal.v1.ClusterMessage;
import dev.pfgm.proto.internal.v1.JobEvent;
import dev.pfgm.proto.internal.v1.JobStart;
import dev.pfgm.proto.internal.v1.Progress;
import dev.pfgm.server.runtime.ModelCard;
import dev.pfgm.server.sampler.Checkpoint;
import dev.pfgm.server.sampler.Rk45Settings;
import dev.pfgm.server.sampler.Rk45Trajectory;
import dev.pfgm.server.sampler.SampleSeeds;
import dev.pfgm.server.sampler.SampleSolve;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import dev.pfgm.server.sampler.Trajectory;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What crosses between nodes arrives as it left: exact float64 states (with RK45's step state and a
 * noisy sample's random stream, so a worker goes on as the solve would have), whole cards.
 */
class ClusterCodecTest {

  @Test
  void aMessageRoundTripsThroughTheWireFormatAfterOtherBytes() {
    double[] x = {Math.PI, -0.0, Double.MIN_VALUE, 1e308, -123.456789012345678};
    ClusterMessage m =
        ClusterMessage.newBuilder()
            .setEvent(
                JobEvent.newBuilder()
                    .setJobId("g-1")
                    .setAttempt(2)
                    .setProgress(
                        Progress.newBuilder()
                            .setIndex(9)
                            .addSamples(Wire.checkpoint(new Checkpoint(10, 19, x)))))
            .build();
    ClusterCodec codec = new ClusterCodec();
    Buffer buffer = Buffer.buffer().appendString("header"); // the event bus writes its own first
    codec.encodeToWire(buffer, m);
    ClusterMessage back = codec.decodeFromWire(6, buffer);
    assertEquals(m, back);
    Checkpoint c = Wire.checkpoint(back.getEvent().getProgress().getSamples(0));
    assertEquals(10, c.step());
    assertEquals(19, c.nfe());
    // Bit for bit, -0.0 included: resume needs the very state.
    assertArrayEquals(x, c.x());
    assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(c.x()[1]));
  }

  @Test
  void anRk45AndANoisyJobGoOnOnAWorkerFromTheirWireCheckpoints() throws Exception {
    Rk45Settings rk45 = new Rk45Settings(0.002, 80, 1e-4, 1e-4, 500);
    Rk45Trajectory adaptive = new Rk45Trajectory(rk45, new double[] {30, -20});
    Schedule schedule = Schedule.edm(12, 0.002, 80, 7);
    Trajectory noisy =
        new Trajectory(SolverKind.HEUN, schedule, new double[] {30, -20}, 0.3, SampleSeeds.rng(5));
    for (SampleSolve s : List.of(adaptive, noisy)) {
      for (int i = 0; i < 9; i++) { // mid-solve: RK45 mid-trial, Heun after its predictor
        s.supply(shrink(s.query()));
      }
      JobStart.Builder b = JobStart.newBuilder();
      Wire.solve(b, s);
      b.addSamples(Wire.checkpoint(s));
      SampleSolve resumed = Wire.resume(JobStart.parseFrom(b.build().toByteArray())).get(0);
      finish(s);
      finish(resumed);
      assertArrayEquals(s.state(), resumed.state(), s.solver().toString());
      assertEquals(s.nfe(), resumed.nfe(), s.solver().toString());
      assertEquals(s.rejectedSteps(), resumed.rejectedSteps(), s.solver().toString());
    }
  }

  /** A denoiser that pulls x halfway to 0: enough field for a solve. */
  private static double[] shrink(double[] x) {
    double[] d = new double[x.length];
    for (int k = 0; k < x.length; k++) {
      d[k] = 0.5 * x[k];
    }
    return d;
  }

  private static void finish(SampleSolve s) {
    while (!s.done()) {
      s.supply(shrink(s.query()));
    }
  }

  @Test
  void aModelCardCrossesWhole() {
    ModelCard card =
        new ModelCard(
            "m",
            "a model",
            Double.POSITIVE_INFINITY,
            new int[] {3, 32, 32},
            0.002,
            80,
            7,
            18,
            "heun",
            Double.NaN,
            List.of("cat", "dog"),
            new double[0],
            "cifar",
            "MIT",
            new JsonObject().put("trained", "2026"));
    ModelCard back = Wire.card(Wire.card(card));
    assertEquals(card.id(), back.id());
    assertEquals(card.augmentDim(), back.augmentDim());
    assertArrayEquals(card.shape(), back.shape());
    assertEquals(card.sigmaData(), back.sigmaData());
    assertEquals(card.classLabels(), back.classLabels());
    assertEquals(card.provenance(), back.provenance());
    assertEquals(card.defaultSolver(), back.defaultSolver());
    assertArrayEquals(new double[0], back.latentClassPrior());
  }

  @Test
  void aLatentClassPriorCrosses() throws Exception {
    ModelCard card =
        ModelCard.parse(
            """
            {"id": "m", "augment_dim": 128, "shape": [1, 4, 4], "sigma_min": 0.002,
             "sigma_max": 80, "rho": 7, "default_steps": 18, "default_solver": "heun",
             "latent_class_prior": [0.25, 0.5, 0.25]}""");
    ModelCard back = Wire.card(Wire.card(card));
    assertArrayEquals(new double[] {0.25, 0.5, 0.25}, back.latentClassPrior());
    assertEquals(List.of(), back.classLabels());
    assertEquals(3, back.networkClasses());
  }
}
