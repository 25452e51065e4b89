package dev.pfgm.server.cluster;

import dev.pfgm.proto.internal.v1.Done;
import dev.pfgm.proto.internal.v1.Failure;
import dev.pfgm.proto.internal.v1.JobStart;
import dev.pfgm.proto.internal.v1.Progress;
import dev.pfgm.server.engine.CapacityExceeded;
import dev.pfgm.server.engine.CompletedView;
import dev.pfgm.server.engine.DeadlineExpired;
import dev.pfgm.server.engine.EngineException;
import dev.pfgm.server.engine.EnginesGone;
import dev.pfgm.server.engine.Job;
import dev.pfgm.server.engine.JobListener;
import dev.pfgm.server.engine.NetworkFailure;
import dev.pfgm.server.engine.ServingFailure;
import dev.pfgm.server.engine.SolveLimitReached;
import dev.pfgm.server.engine.StepView;
import dev.pfgm.server.sampler.Rk45Trajectory;
import dev.pfgm.server.sampler.SampleSolve;
import dev.pfgm.server.sampler.Trajectory;
import java.util.List;

/**
 * A gateway's record of one job that a worker runs. Its {@link Job} is a mirror: its solves (Heun,
 * Euler, with or without noise injection, or RK45) are set to every checkpoint the worker sends, so
 * they always hold the last state received, which is where the job resumes when its worker dies.
 * The stream's listener is driven from the mirror exactly as an engine would drive it. Used under
 * the gateway's lock only.
 */
final class RemoteJob {

  final String id;
  final String model;
  final Job job;
  final JobListener listener;
  private final boolean readsDenoised;
  int attempt;
  Workers.Worker worker;
  private int lastIndex = -1; // the last step index the stream has seen (written or skipped)
  private boolean admitted;
  boolean sentCongested;
  boolean sentPaused;

  RemoteJob(String id, String model, Job job) {
    this.id = id;
    this.model = model;
    this.job = job;
    this.listener = job.listener();
    this.readsDenoised = listener.readsDenoised();
  }

  int rows() {
    return job.rows();
  }

  /** The job as the worker must run it now: from the mirror's state, with the stream's flow. */
  JobStart start(String replyTo, long deadlineMs, int checkpointEvery) {
    sentCongested = !listener.wantsFrames();
    sentPaused = job.paused();
    JobStart.Builder b =
        JobStart.newBuilder()
            .setJobId(id)
            .setAttempt(attempt)
            .setReplyTo(replyTo)
            .setModel(model)
            .setPreviewEvery(job.previewEvery())
            .setDenoised(readsDenoised)
            .setDeadlineMs(deadlineMs)
            .setCheckpointEvery(checkpointEvery)
            .setCongested(sentCongested)
            .setPaused(sentPaused);
    Wire.solve(b, job.samples().get(0));
    float[] oneHot = job.classOneHot();
    if (oneHot != null) {
      for (float v : oneHot) {
        b.addClassOneHot(v);
      }
    }
    for (SampleSolve s : job.samples()) {
      b.addSamples(Wire.checkpoint(s));
    }
    return b.build();
  }

  void admitted(int queuePosition) {
    if (!admitted) { // a resumed job was announced once already
      admitted = true;
      listener.placedOn(worker.name);
      listener.admitted(queuePosition);
    }
  }

  void progress(Progress p) {
    int i = p.getIndex();
    if (i <= lastIndex) {
      return; // replayed by a resumed attempt: the stream has it
    }
    restore(p.getSamplesList(), p.getDenoisedList());
    skipTo(i);
    lastIndex = i;
    if (job.reports(i)) {
      if (p.getFrame() && (!readsDenoised || p.getDenoisedCount() > 0)) {
        listener.step(new StepView(i, p.getSigma(), p.getNfe(), job.samples()));
      } else {
        listener.stepSkipped(i);
      }
    }
  }

  void completed(Done d) {
    restore(d.getSamplesList(), List.of());
    // Every sample is done: the job's steps are its longest sample's (all n on a schedule).
    skipTo(job.samples().stream().mapToInt(SampleSolve::completedSteps).max().orElse(0));
    int rejected = job.samples().stream().mapToInt(SampleSolve::rejectedSteps).sum();
    listener.completed(
        new CompletedView(
            job.samples(), d.getNfe(), rejected, d.getQueueNanos(), d.getComputeNanos()));
  }

  void failed(Failure f) {
    String m = f.getMessage();
    EngineException e =
        switch (f.getKind()) {
          case KIND_CAPACITY -> new CapacityExceeded(m);
          case KIND_DEADLINE -> new DeadlineExpired(m);
          case KIND_NETWORK -> new NetworkFailure(m);
          case KIND_GONE -> new EnginesGone(m);
          case KIND_SOLVE_LIMIT -> new SolveLimitReached(m);
          default -> new ServingFailure(m);
        };
    listener.failed(e);
  }

  /** Steps the stream will never see (the client was behind while they ran) are counted skipped. */
  private void skipTo(int index) {
    for (int j = lastIndex + 1; j < index; j++) {
      if (job.reports(j)) {
        listener.stepSkipped(j);
      }
    }
    lastIndex = Math.max(lastIndex, index - 1);
  }

  /** Sets the mirror to the worker's checkpoints. */
  private void restore(
      List<dev.pfgm.proto.internal.v1.Checkpoint> samples,
      List<com.google.protobuf.ByteString> denoised) {
    List<SampleSolve> mirror = job.samples();
    for (int s = 0; s < mirror.size(); s++) {
      Wire.restore(
          mirror.get(s), samples.get(s), denoised.isEmpty() ? null : Wire.doubles(denoised.get(s)));
    }
  }

  /** Steps completed by the mirror's slowest sample (for messages). */
  int completedSteps() {
    return job.samples().stream().mapToInt(SampleSolve::completedSteps).min().orElse(0);
  }

  /**
   * Whether a worker can run the job with exact resume: every solve's whole future is its
   * checkpoint (RK45 always; Heun and Euler with noise injection when the sample's random stream
   * can save its state, as the server's streams can).
   */
  static boolean resumable(Job job) {
    return job.samples().stream()
        .allMatch(
            s -> s instanceof Rk45Trajectory || s instanceof Trajectory t && t.checkpointable());
  }
}
