package dev.pfgm.server.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pfgm.proto.internal.v1.ClusterMessage;
import dev.pfgm.proto.internal.v1.JobEvent;
import dev.pfgm.proto.internal.v1.Progress;
import dev.pfgm.server.runtime.ModelCard;
import dev.pfgm.server.sampler.Checkpoint;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What crosses between nodes arrives as it left: exact float64 states, whole cards. */
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
  }
}
