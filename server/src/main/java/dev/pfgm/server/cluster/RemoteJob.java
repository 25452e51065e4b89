package dev.pfgm.server.cluster;

import dev.pfgm.proto.internal.v1.Done;
import dev.pfgm.proto.internal.v1.Failure;
import dev.pfgm.proto.internal.v1.JobStart;
import dev.pfgm.proto.internal.v1.Progress;
import dev.pfgm.proto.v1.Solver;
import dev.pfgm.server.engine.CapacityExceeded;
import dev.pfgm.server.engine.CompletedView;
import dev.pfgm.server.engine.DeadlineExpired;
import dev.pfgm.server.engine.EngineException;
import dev.pfgm.server.engine.EnginesGone;
import dev.pfgm.server.engine.Job;
import dev.pfgm.server.engine.JobListener;
import dev.pfgm.server.engine.NetworkFailure;
import dev.pfgm.server.engine.ServingFailure;
import dev.pfgm.server.engine.StepView;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import dev.pfgm.server.sampler.Trajectory;
import java.util.List;

/**
 * A gateway's record of one job that a worker runs. Its {@link Job} is a mirror: its trajectories
 * are set to every checkpoint the worker sends, so they always hold the last state received, which
 * is where the job resumes when its worker dies. The stream's listener is driven from the mirror
 * exactly as an engine would drive it. Used under the gateway's lock only.
 */
final class RemoteJob {

  final String id;
  final String model;
  final Job job;
  final JobListener listener;
  private final Schedule schedule;
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
    this.schedule = mirror(job).get(0).schedule();
    this.readsDenoised = listener.readsDenoised();
  }

  int rows() {
    return job.rows();
  }

  /** The job as the worker must run it now: from the mirror's state, with the stream's flow. */
  JobStart start(String replyTo, long deadlineMs, int checkpointEvery) {
    sentCongested = !listener.wantsFrames();
    sentPaused = job.paused();
    SolverKind solver = job.samples().get(0).solver();
    JobStart.Builder b =
        JobStart.newBuilder()
            .setJobId(id)
            .setAttempt(attempt)
            .setReplyTo(replyTo)
            .setModel(model)
            .setSolver(solver == SolverKind.EULER ? Solver.SOLVER_EULER : Solver.SOLVER_HEUN)
            .setPreviewEvery(job.previewEvery())
            .setDenoised(readsDenoised)
            .setDeadlineMs(deadlineMs)
            .setCheckpointEvery(checkpointEvery)
            .setCongested(sentCongested)
            .setPaused(sentPaused);
    for (double sigma : schedule.sigmas()) {
      b.addSigmas(sigma);
    }
    float[] oneHot = job.classOneHot();
    if (oneHot != null) {
      for (float v : oneHot) {
        b.addClassOneHot(v);
      }
    }
    for (Trajectory t : mirror(job)) {
      b.addSamples(Wire.checkpoint(t.checkpoint()));
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
        listener.step(new StepView(i, schedule.sigma(i + 1), p.getNfe(), job.samples()));
      } else {
        listener.stepSkipped(i);
      }
    }
  }

  void completed(Done d) {
    restore(d.getSamplesList(), List.of());
    skipTo(schedule.steps());
    listener.completed(
        new CompletedView(job.samples(), d.getNfe(), 0, d.getQueueNanos(), d.getComputeNanos()));
  }

  void failed(Failure f) {
    String m = f.getMessage();
    EngineException e =
        switch (f.getKind()) {
          case KIND_CAPACITY -> new CapacityExceeded(m);
          case KIND_DEADLINE -> new DeadlineExpired(m);
          case KIND_NETWORK -> new NetworkFailure(m);
          case KIND_GONE -> new EnginesGone(m);
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
    List<Trajectory> mirror = mirror(job);
    for (int s = 0; s < mirror.size(); s++) {
      mirror
          .get(s)
          .restore(
              Wire.checkpoint(samples.get(s)),
              denoised.isEmpty() ? null : Wire.doubles(denoised.get(s)));
    }
  }

  /** Steps completed by the mirror's slowest sample (for messages). */
  int completedSteps() {
    return mirror(job).stream().mapToInt(Trajectory::completedSteps).min().orElse(0);
  }

  /**
   * Whether a worker can run the job with exact resume: its solves are fixed-schedule trajectories
   * whose whole future is their checkpoint (not RK45, not noise injection).
   */
  static boolean resumable(Job job) {
    return job.samples().stream().allMatch(s -> s instanceof Trajectory t && t.checkpointable());
  }

  /** The job's solves as the trajectories they are (see {@link #resumable}). */
  @SuppressWarnings("unchecked")
  private static List<Trajectory> mirror(Job job) {
    return (List<Trajectory>) (List<?>) job.samples();
  }
}
