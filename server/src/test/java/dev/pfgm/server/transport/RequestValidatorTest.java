package dev.pfgm.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.Solver;
import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.runtime.ModelCard;
import dev.pfgm.server.runtime.ModelLoadException;
import dev.pfgm.server.sampler.Rk45Settings;
import dev.pfgm.server.sampler.SolverKind;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {

  static ModelCard card(String id, String labels) throws ModelLoadException {
    return ModelCard.parse(
        "{\"id\":\""
            + id
            + "\",\"augment_dim\":\"inf\",\"shape\":[1,28,28],"
            + "\"sigma_min\":0.002,\"sigma_max\":80,\"rho\":7,\"default_steps\":18,\"default_solver\":\"heun\","
            + "\"class_labels\":"
            + labels
            + "}");
  }

  static RequestValidator validator(int maxMessageBytes) throws ModelLoadException {
    return new RequestValidator(
        Map.of("u", card("u", "[]"), "c", card("c", "[\"a\",\"b\",\"c\"]")),
        "u",
        new ServingLimits(64, 1000, maxMessageBytes, 1 << 20, 64 << 20));
  }

  @Test
  void defaultsComeFromTheModelCard() throws Exception {
    GenerationPlan p = validator(1 << 22).validate(GenerateRequest.newBuilder().setSeed(7).build());
    assertEquals("u", p.model().id());
    assertEquals(1, p.numSamples());
    assertEquals(18, p.schedule().steps());
    assertEquals(SolverKind.HEUN, p.solver());
    assertEquals(80, p.schedule().sigma(0));
    assertEquals(-1, p.classLabel());
  }

  @Test
  void conditionalModelNeedsALabelInRange() throws Exception {
    RequestValidator v = validator(1 << 22);
    InvalidArgument missing =
        assertThrows(
            InvalidArgument.class,
            () -> v.validate(GenerateRequest.newBuilder().setModel("c").build()));
    assertTrue(missing.getMessage().contains("class_label is required"), missing.getMessage());
    InvalidArgument high =
        assertThrows(
            InvalidArgument.class,
            () -> v.validate(GenerateRequest.newBuilder().setModel("c").setClassLabel(3).build()));
    assertEquals("class_label must be in 0..2, was 3", high.getMessage());
    GenerationPlan p =
        v.validate(GenerateRequest.newBuilder().setModel("c").setClassLabel(2).build());
    assertEquals(1f, p.classOneHot()[2]);
  }

  @Test
  void responsesThatWouldExceedTheMessageLimitAreRefused() throws Exception {
    RequestValidator v = validator(64 * 1024);
    GenerateRequest big =
        GenerateRequest.newBuilder()
            .setNumSamples(32)
            .setPreviewEvery(1)
            .setStepContent(StepContent.newBuilder().setState(true))
            .build();
    InvalidArgument e = assertThrows(InvalidArgument.class, () -> v.validate(big));
    assertTrue(e.getMessage().contains("over the 65536-byte limit"), e.getMessage());
  }

  @Test
  void rk45ResolvesTolerancesAndUsesStepsAsItsTrialLimit() throws Exception {
    RequestValidator v = validator(1 << 22);
    GenerationPlan p =
        v.validate(GenerateRequest.newBuilder().setSolver(Solver.SOLVER_RK45).build());
    assertEquals(SolverKind.RK45, p.solver());
    assertNull(p.schedule());
    assertEquals(0, p.steps());
    assertEquals(new Rk45Settings(0.002, 80, 1e-3, 1e-3, 1000), p.rk45());
    GenerationPlan q =
        v.validate(
            GenerateRequest.newBuilder()
                .setSolver(Solver.SOLVER_RK45)
                .setRtol(1e-5)
                .setAtol(1e-7)
                .setSteps(40)
                .setSigmaMax(10)
                .setPreviewEvery(500)
                .build());
    assertEquals(new Rk45Settings(0.002, 10, 1e-5, 1e-7, 40), q.rk45());
    assertEquals(500, q.previewEvery());
    assertEquals(1, q.trajectories().size());
    assertEquals(10, q.trajectories().get(0).sigma());
  }

  @Test
  void toleranceAndNoiseFieldsAreCheckedWithTheirLimits() throws Exception {
    RequestValidator v = validator(1 << 22);
    GenerateRequest.Builder rk45 = GenerateRequest.newBuilder().setSolver(Solver.SOLVER_RK45);
    String[][] cases = {
      {"rtol", "0", "rtol must be in [1.0E-6, 1.0] for SOLVER_RK45, was 0.0"},
      {"rtol", "NaN", "rtol must be in [1.0E-6, 1.0] for SOLVER_RK45, was NaN"},
      {"rtol", "1.5", "rtol must be in [1.0E-6, 1.0] for SOLVER_RK45, was 1.5"},
      {"atol", "1e-9", "atol must be in [1.0E-8, 1.0] for SOLVER_RK45, was 1.0E-9"},
      {"noise", "0.2", "noise_injection must be 0 with SOLVER_RK45"},
    };
    for (String[] c : cases) {
      GenerateRequest.Builder b = rk45.clone();
      double value = Double.parseDouble(c[1]);
      switch (c[0]) {
        case "rtol" -> b.setRtol(value);
        case "atol" -> b.setAtol(value);
        default -> b.setNoiseInjection(value);
      }
      InvalidArgument e = assertThrows(InvalidArgument.class, () -> v.validate(b.build()));
      assertTrue(e.getMessage().startsWith(c[2]), e.getMessage());
    }
    InvalidArgument heun =
        assertThrows(
            InvalidArgument.class,
            () -> v.validate(GenerateRequest.newBuilder().setAtol(1e-3).build()));
    assertEquals(
        "atol applies to SOLVER_RK45 only; must be unset with SOLVER_HEUN", heun.getMessage());
    for (double bad : new double[] {-0.1, 1.01, Double.NaN}) {
      InvalidArgument e =
          assertThrows(
              InvalidArgument.class,
              () -> v.validate(GenerateRequest.newBuilder().setNoiseInjection(bad).build()));
      assertEquals("noise_injection must be in [0, 1], was " + bad, e.getMessage());
    }
    GenerationPlan p =
        v.validate(
            GenerateRequest.newBuilder()
                .setSolver(Solver.SOLVER_EULER)
                .setNoiseInjection(0.2)
                .build());
    assertEquals(0.2, p.noiseInjection());
    assertNull(p.rk45());
  }
}
