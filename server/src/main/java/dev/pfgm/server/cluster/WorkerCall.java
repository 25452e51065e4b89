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
import dev.pfgm.server.engine.StepView;
import dev.pfgm.server.sampler.SampleSolve;
import dev.pfgm.server.sampler.Trajectory;
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
  private final int steps;
  private final Runnable ended;
  private volatile boolean congested;
  Job job; // set once, before the job is submitted

  WorkerCall(EventBus bus, JobStart start, int steps, Runnable ended) {
    this.bus = bus;
    this.start = start;
    this.steps = steps;
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
    boolean frame = clientSees(i) && !congested;
    int every = Math.max(1, start.getCheckpointEvery());
    if (!frame && (i + 1) % every != 0) {
      return; // nothing per step while the client is behind, between checkpoints
    }
    Progress.Builder p = Progress.newBuilder().setIndex(i).setNfe(view.nfe()).setFrame(frame);
    for (SampleSolve s : view.samples()) {
      Trajectory t = (Trajectory) s; // a worker runs resumable jobs only
      p.addSamples(Wire.checkpoint(t.checkpoint()));
      if (frame && start.getDenoised()) {
        p.addDenoised(Wire.doubles(t.lastDenoised()));
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
    return samples.stream().map(s -> Wire.checkpoint(((Trajectory) s).checkpoint())).toList();
  }

  /** The client's preview_every: whether step i (of n) carries a frame. */
  private boolean clientSees(int i) {
    int every = start.getPreviewEvery();
    return every > 0 && ((i + 1) % every == 0 || i == steps - 1);
  }

  private void send(JobEvent.Builder event) {
    event.setJobId(start.getJobId()).setAttempt(start.getAttempt());
    bus.send(start.getReplyTo(), ClusterMessage.newBuilder().setEvent(event).build());
  }
}
