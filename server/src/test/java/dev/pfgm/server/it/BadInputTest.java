package dev.pfgm.server.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.Solver;
import dev.pfgm.server.app.PfgmServer;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad input gets its status and a message naming the field; other streams go on. */
class BadInputTest {

  static PfgmServer server;
  static GrpcTestClient client;

  @BeforeAll
  static void start() throws Exception {
    server = ServerFixture.start();
    client = new GrpcTestClient(server.port());
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
  }

  static GenerateRequest.Builder ok() {
    return GenerateRequest.newBuilder().setModel("mnist-exact-d128").setSteps(6);
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of(ok().setModel("no-such-model"), GrpcStatus.NOT_FOUND, "no-such-model"),
        Arguments.of(
            ok().setSteps(1001), GrpcStatus.INVALID_ARGUMENT, "steps must be in 1..1000, was 1001"),
        Arguments.of(
            ok().setSteps(-1),
            GrpcStatus.INVALID_ARGUMENT,
            "steps must be in 1..1000, was 4294967295"),
        Arguments.of(
            ok().setNumSamples(65),
            GrpcStatus.INVALID_ARGUMENT,
            "num_samples must be in 1..64, was 65"),
        Arguments.of(
            ok().setSigmaMin(0.0001),
            GrpcStatus.INVALID_ARGUMENT,
            "sigma_min must be in [0.002, 80.0]"),
        Arguments.of(
            ok().setSigmaMax(81),
            GrpcStatus.INVALID_ARGUMENT,
            "sigma_max must be in [0.002, 80.0]"),
        Arguments.of(
            ok().setSigmaMax(Double.NaN), GrpcStatus.INVALID_ARGUMENT, "sigma_max must be in"),
        Arguments.of(
            ok().setSigmaMin(5).setSigmaMax(1),
            GrpcStatus.INVALID_ARGUMENT,
            "sigma_min must be < sigma_max"),
        Arguments.of(
            ok().setRho(0), GrpcStatus.INVALID_ARGUMENT, "rho must be in (0, 100], was 0.0"),
        // Inside the range, but float64 loses sigma_min: refused before any compute, not INTERNAL
        // after.
        Arguments.of(ok().setRho(0.2), GrpcStatus.INVALID_ARGUMENT, "use a larger rho"),
        Arguments.of(
            ok().setRho(0.29).setSteps(18), GrpcStatus.INVALID_ARGUMENT, "use a larger rho"),
        Arguments.of(
            ok().setPreviewEvery(7),
            GrpcStatus.INVALID_ARGUMENT,
            "preview_every must be in 0..6, was 7"),
        Arguments.of(
            ok().setClassLabel(3), GrpcStatus.INVALID_ARGUMENT, "class_label must be unset"),
        Arguments.of(
            ok().setSolverValue(7),
            GrpcStatus.INVALID_ARGUMENT,
            "solver must be SOLVER_HEUN, SOLVER_EULER or SOLVER_RK45, was 7"),
        Arguments.of(
            ok().setRtol(1e-3),
            GrpcStatus.INVALID_ARGUMENT,
            "rtol applies to SOLVER_RK45 only; must be unset with SOLVER_HEUN"),
        Arguments.of(
            ok().setSolver(Solver.SOLVER_RK45).setAtol(2),
            GrpcStatus.INVALID_ARGUMENT,
            "atol must be in [1.0E-8, 1.0] for SOLVER_RK45, was 2.0"),
        Arguments.of(
            ok().setSolver(Solver.SOLVER_RK45).setNoiseInjection(0.1),
            GrpcStatus.INVALID_ARGUMENT,
            "noise_injection must be 0 with SOLVER_RK45"),
        Arguments.of(
            ok().setNoiseInjection(-0.5),
            GrpcStatus.INVALID_ARGUMENT,
            "noise_injection must be in [0, 1], was -0.5"),
        // A tolerance far too tight for the trial-step limit: OUT_OF_RANGE, naming what to change.
        Arguments.of(
            ok().setSolver(Solver.SOLVER_RK45).setRtol(1e-6).setAtol(1e-8).setSteps(3),
            GrpcStatus.OUT_OF_RANGE,
            "RK45 reached its limit of 3 trial steps"),
        Arguments.of(
            ok().setSolver(Solver.SOLVER_RK45).setRtol(1e-6).setAtol(1e-8).setSteps(3),
            GrpcStatus.OUT_OF_RANGE,
            "loosen rtol/atol or raise the trial-step limit (the request's steps)"));
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  void badInputGetsItsStatusAndAMessageNamingTheField(
      GenerateRequest.Builder req, GrpcStatus status, String message) {
    GrpcTestClient.Result r = client.generate(req.build());
    assertEquals(status, r.status(), r.message());
    assertTrue(r.message().contains(message), r.message());
    // Refused requests get no event; a solve that fails mid-way has had its Started.
    assertTrue(
        r.events().isEmpty() || status == GrpcStatus.OUT_OF_RANGE, "no event before the error");
  }

  @Test
  void badStreamsDoNotDisturbAGoodOneRunningBesideThem() {
    Future<GrpcTestClient.Result> good =
        client.start(
            ok().setSteps(40).setPreviewEvery(1).setNumSamples(4).setSeed(3).build(), 0, r -> {});
    List<Future<GrpcTestClient.Result>> bad = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      bad.add(client.start(ok().setNumSamples(1000 + i).build(), 0, r -> {}));
    }
    for (Future<GrpcTestClient.Result> b : bad) {
      assertEquals(GrpcStatus.INVALID_ARGUMENT, GrpcTestClient.await(b, 60).status());
    }
    GrpcTestClient.Result r = GrpcTestClient.await(good, 60);
    assertEquals(GrpcStatus.OK, r.status(), r.message());
    assertEquals(1 + 40 + 1, r.events().size());
  }
}
