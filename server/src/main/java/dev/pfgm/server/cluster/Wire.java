package dev.pfgm.server.cluster;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.pfgm.proto.internal.v1.Card;
import dev.pfgm.server.runtime.ModelCard;
import dev.pfgm.server.sampler.Checkpoint;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.time.Instant;

/** Conversions between the server's values and their cluster messages. */
final class Wire {

  private Wire() {}

  /** The wall clock in nanoseconds since the epoch (microsecond resolution on Linux). */
  static long unixNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** float64 little-endian bytes of an array (exact: resume needs the very bits). */
  static ByteString doubles(double[] values) {
    ByteBuffer buf = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.asDoubleBuffer().put(values);
    return UnsafeByteOperations.unsafeWrap(buf.array());
  }

  static double[] doubles(ByteString bytes) {
    DoubleBuffer in = bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
    double[] out = new double[in.remaining()];
    in.get(out);
    return out;
  }

  static dev.pfgm.proto.internal.v1.Checkpoint checkpoint(Checkpoint c) {
    return dev.pfgm.proto.internal.v1.Checkpoint.newBuilder()
        .setStep(c.step())
        .setNfe(c.nfe())
        .setX(doubles(c.x()))
        .build();
  }

  static Checkpoint checkpoint(dev.pfgm.proto.internal.v1.Checkpoint c) {
    return new Checkpoint(c.getStep(), c.getNfe(), doubles(c.getX()));
  }

  static Card card(ModelCard c) {
    Card.Builder b =
        Card.newBuilder()
            .setId(c.id())
            .setDescription(c.description())
            .setAugmentDim(c.augmentDim())
            .setSigmaMin(c.sigmaMin())
            .setSigmaMax(c.sigmaMax())
            .setRho(c.rho())
            .setDefaultSteps(c.defaultSteps())
            .setDefaultSolver(c.defaultSolver())
            .setSigmaData(c.sigmaData())
            .addAllClassLabels(c.classLabels())
            .setDataset(c.dataset())
            .setLicense(c.license())
            .setProvenanceJson(c.provenance() == null ? "" : c.provenance().encode());
    for (int s : c.shape()) {
      b.addShape(s);
    }
    return b.build();
  }

  static ModelCard card(Card c) {
    return new ModelCard(
        c.getId(),
        c.getDescription(),
        c.getAugmentDim(),
        c.getShapeList().stream().mapToInt(Integer::intValue).toArray(),
        c.getSigmaMin(),
        c.getSigmaMax(),
        c.getRho(),
        c.getDefaultSteps(),
        c.getDefaultSolver(),
        c.getSigmaData(),
        c.getClassLabelsList(),
        c.getDataset(),
        c.getLicense(),
        c.getProvenanceJson().isEmpty() ? null : new JsonObject(c.getProvenanceJson()));
  }
}
