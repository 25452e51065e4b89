package dev.pfgm.server.cluster;

import dev.pfgm.proto.internal.v1.ClusterMessage;
import dev.pfgm.proto.internal.v1.Done;
import dev.pfgm.proto.internal.v1.Failure;
import dev.pfgm.proto.internal.v1.JobEvent;
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
import dev.pfgm.server.engine.SolveLimitReached;
import dev.pfgm.server.engine.StepView;
import dev.pfgm.server.sampler.SampleSolve;
import io.vertx.core.eventbus.EventBus;
import java.util.List;

/**
 * A job a worker runs for a gateway: the engine's events become {@link JobEvent}s to the gateway,
 * built on the engine's thread. A Step frame carries the samples' states (and denoised estimates
 * when asked); while the client is behind no frame is built, only a checkpoint every few steps.
 */
final class WorkerCall implements JobListener {

  private final EventBus bus;
  private final JobStart start;
  private final Runnable ended;
  private volatile boolean congested;
  Job job; // set once, before the job is submitted

  WorkerCall(EventBus bus, JobStart start, Runnable ended) {
    this.bus = bus;
    this.start = start;
    this.ended = ended;
    this.congested = start.getCongested();
  }

  String replyTo() {
    return start.getReplyTo();
  }

  int attempt() {
    return start.getAttempt();
  }

  void congested(boolean c) {
    congested = c;
  }

  @Override
  public void admitted(int queuePosition) {
    send(JobEvent.newBuilder().setAdmitted(queuePosition));
  }

  @Override
  public void step(StepView view) {
    int i = view.index();
    boolean frame = clientSees(i, view.samples()) && !congested;
    int every = Math.max(1, start.getCheckpointEvery());
    if (!frame && (i + 1) % every != 0) {
      return; // nothing per step while the client is behind, between checkpoints
    }
    Progress.Builder p =
        Progress.newBuilder().setIndex(i).setNfe(view.nfe()).setSigma(view.sigma()).setFrame(frame);
    for (SampleSolve s : view.samples()) {
      p.addSamples(Wire.checkpoint(s));
      if (frame && start.getDenoised()) {
        p.addDenoised(Wire.doubles(s.lastDenoised()));
      }
    }
    send(JobEvent.newBuilder().setProgress(p.setSentUnixNanos(Wire.unixNanos())));
  }

  @Override
  public void completed(CompletedView result) {
    Done.Builder d =
        Done.newBuilder()
            .setNfe(result.nfe())
            .setQueueNanos(result.queueNanos())
            .setComputeNanos(result.computeNanos());
    samples(result.samples()).forEach(d::addSamples);
    send(JobEvent.newBuilder().setCompleted(d));
    ended.run();
  }

  @Override
  public void failed(EngineException error) {
    Failure.Kind kind =
        error instanceof CapacityExceeded
            ? Failure.Kind.KIND_CAPACITY
            : error instanceof DeadlineExpired
                ? Failure.Kind.KIND_DEADLINE
                : error instanceof NetworkFailure
                    ? Failure.Kind.KIND_NETWORK
                    : error instanceof EnginesGone
                        ? Failure.Kind.KIND_GONE
                        : error instanceof SolveLimitReached
                            ? Failure.Kind.KIND_SOLVE_LIMIT
                            : Failure.Kind.KIND_SERVING;
    send(
        JobEvent.newBuilder()
            .setFailed(
                Failure.newBuilder()
                    .setKind(kind)
                    .setMessage(error.getMessage() == null ? "" : error.getMessage())));
    ended.run();
  }

  private static List<dev.pfgm.proto.internal.v1.Checkpoint> samples(List<SampleSolve> samples) {
    return samples.stream().map(Wire::checkpoint).toList();
  }

  /**
   * The client's preview_every: whether step i carries a frame (as {@link Job#reports}: every k-th
   * and the job's last, which is the last once every sample is done; adaptive samples end apart).
   */
  private static boolean clientSees(int i, List<SampleSolve> samples, int every) {
    if (every <= 0) {
      return false;
    }
    if ((i + 1) % every == 0) {
      return true;
    }
    int last = 0;
    for (SampleSolve s : samples) {
      if (!s.done()) {
        return false;
      }
      last = Math.max(last, s.completedSteps());
    }
    return i == last - 1;
  }

  private boolean clientSees(int i, List<SampleSolve> samples) {
    return clientSees(i, samples, start.getPreviewEvery());
  }

  private void send(JobEvent.Builder event) {
    event.setJobId(start.getJobId()).setAttempt(start.getAttempt());
    bus.send(start.getReplyTo(), ClusterMessage.newBuilder().setEvent(event).build());
  }
}
