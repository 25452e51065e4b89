package dev.pfgm.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.runtime.ModelCard;
import dev.pfgm.server.runtime.ModelLoadException;
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
}
