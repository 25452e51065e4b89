package dev.pfgm.server.cluster;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.pfgm.proto.internal.v1.Card;
import dev.pfgm.proto.internal.v1.JobStart;
import dev.pfgm.proto.internal.v1.Rk45;
import dev.pfgm.proto.v1.Solver;
import dev.pfgm.server.runtime.ModelCard;
import dev.pfgm.server.sampler.Checkpoint;
import dev.pfgm.server.sampler.Rk45Settings;
import dev.pfgm.server.sampler.Rk45Trajectory;
import dev.pfgm.server.sampler.SampleSolve;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import dev.pfgm.server.sampler.Trajectory;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.time.Instant;
import java.util.List;

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
    var b =
        dev.pfgm.proto.internal.v1.Checkpoint.newBuilder()
            .setStep(c.step())
            .setNfe(c.nfe())
            .setX(doubles(c.x()));
    if (c.rng() != null) {
      b.setRngState(ByteString.copyFrom(c.rng())).setNoiseAdded(c.noiseAdded());
    }
    return b.build();
  }

  static Checkpoint checkpoint(dev.pfgm.proto.internal.v1.Checkpoint c) {
    return new Checkpoint(
        c.getStep(),
        c.getNfe(),
        doubles(c.getX()),
        c.getRngState().isEmpty() ? null : c.getRngState().toByteArray(),
        c.getNoiseAdded());
  }

  static dev.pfgm.proto.internal.v1.Checkpoint checkpoint(Rk45Trajectory.Checkpoint c) {
    var b =
        dev.pfgm.proto.internal.v1.Checkpoint.newBuilder()
            .setStep(c.accepted())
            .setNfe(c.nfe())
            .setX(doubles(c.x()))
            .setSigma(c.sigma())
            .setH(c.h())
            .setRejected(c.rejected());
    if (c.fsal() != null) {
      b.setFsal(doubles(c.fsal()));
    }
    return b.build();
  }

  static Rk45Trajectory.Checkpoint rk45(dev.pfgm.proto.internal.v1.Checkpoint c) {
    return new Rk45Trajectory.Checkpoint(
        doubles(c.getX()),
        c.getSigma(),
        c.getH(),
        c.getStep(),
        c.getRejected(),
        c.getNfe(),
        c.getFsal().isEmpty() ? null : doubles(c.getFsal()));
  }

  /** A sample's checkpoint, whichever solver it runs. */
  static dev.pfgm.proto.internal.v1.Checkpoint checkpoint(SampleSolve s) {
    return s instanceof Rk45Trajectory r
        ? checkpoint(r.checkpoint())
        : checkpoint(((Trajectory) s).checkpoint());
  }

  /** Sets a gateway's mirror of a sample to the checkpoint its worker sent. */
  static void restore(
      SampleSolve s, dev.pfgm.proto.internal.v1.Checkpoint c, double[] lastDenoised) {
    if (s instanceof Rk45Trajectory r) {
      r.restore(rk45(c), lastDenoised);
    } else {
      ((Trajectory) s).restore(checkpoint(c), lastDenoised);
    }
  }

  /** A job's solver and its settings, as a worker needs them to go on from checkpoints. */
  static void solve(JobStart.Builder b, SampleSolve s) {
    switch (s.solver()) {
      case RK45 -> {
        Rk45Settings r = ((Rk45Trajectory) s).settings();
        b.setSolver(Solver.SOLVER_RK45)
            .setRk45(
                Rk45.newBuilder()
                    .setSigmaMin(r.sigmaMin())
                    .setSigmaMax(r.sigmaMax())
                    .setRtol(r.rtol())
                    .setAtol(r.atol())
                    .setMaxTrials(r.maxTrials()));
      }
      case HEUN, EULER -> {
        Trajectory t = (Trajectory) s;
        b.setSolver(s.solver() == SolverKind.EULER ? Solver.SOLVER_EULER : Solver.SOLVER_HEUN)
            .setNoiseInjection(t.noiseInjection());
        for (double sigma : t.schedule().sigmas()) {
          b.addSigmas(sigma);
        }
      }
    }
  }

  /** A worker's solves of a job's samples, from the checkpoints the gateway sent. */
  static List<SampleSolve> resume(JobStart s) {
    if (s.getSolver() == Solver.SOLVER_RK45) {
      Rk45 r = s.getRk45();
      Rk45Settings settings =
          new Rk45Settings(
              r.getSigmaMin(), r.getSigmaMax(), r.getRtol(), r.getAtol(), r.getMaxTrials());
      return s.getSamplesList().stream()
          .map(c -> (SampleSolve) Rk45Trajectory.resume(settings, rk45(c)))
          .toList();
    }
    SolverKind solver = s.getSolver() == Solver.SOLVER_EULER ? SolverKind.EULER : SolverKind.HEUN;
    Schedule schedule = Schedule.of(s.getSigmasList().stream().mapToDouble(d -> d).toArray());
    return s.getSamplesList().stream()
        .map(
            c ->
                (SampleSolve)
                    Trajectory.resume(solver, schedule, checkpoint(c), s.getNoiseInjection()))
        .toList();
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
    for (double p : c.latentClassPrior()) {
      b.addLatentClassPrior(p);
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
        c.getLatentClassPriorList().stream().mapToDouble(Double::doubleValue).toArray(),
        c.getDataset(),
        c.getLicense(),
        c.getProvenanceJson().isEmpty() ? null : new JsonObject(c.getProvenanceJson()));
  }
}
