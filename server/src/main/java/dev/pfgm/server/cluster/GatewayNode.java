package dev.pfgm.server.cluster;

import dev.pfgm.proto.internal.v1.ClusterMessage;
import dev.pfgm.proto.internal.v1.JobControl;
import dev.pfgm.proto.internal.v1.JobEvent;
import dev.pfgm.proto.internal.v1.WorkerAnnounce;
import dev.pfgm.proto.internal.v1.WorkerModel;
import dev.pfgm.server.engine.DeadlineExpired;
import dev.pfgm.server.engine.EngineException;
import dev.pfgm.server.engine.Job;
import dev.pfgm.server.transport.ServedModels;
import dev.pfgm.server.transport.ServingLimits;
import dev.pfgm.server.transport.ServingModel;
import dev.pfgm.server.transport.Unimplemented;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * A gateway's side of the cluster: learns the workers from their announcements, serves the models
 * they announce, places each job on the least-loaded worker of its model, relays the worker's
 * events to the stream, and resumes the jobs of a worker that dies on another one from the last
 * checkpoint received. Its state is guarded by this object's lock: streams submit and cancel from
 * their event loops, events arrive on this verticle's, and node losses on the cluster manager's.
 */
public final class GatewayNode extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(GatewayNode.class.getName());

  /**
   * A checkpoint at least every this many steps: what a resume may compute again, against the bytes
   * a job costs on the wire (a frame carries its state anyway).
   */
  static final int CHECKPOINT_EVERY = 8;

  /** Silent workers are taken as gone after three announce periods. */
  static final long SILENCE_NANOS = 3 * WorkerNode.ANNOUNCE_MS * 1_000_000L;

  /** What the gateway tells its metrics. */
  public interface Observer {
    Observer NONE = new Observer() {};

    default void placed(String model, String worker) {}

    default void resumed(String model, String worker) {}

    default void workers(int live) {}

    /** A frame's trip from its worker's engine to this gateway (worker send to gateway read). */
    default void frameHop(long nanos) {}
  }

  private final String nodeId;
  private final String defaultModel;
  private final ServingLimits limits;
  private final Observer observer;
  private final Workers workers = new Workers();
  private final Map<String, RemoteJob> jobs = new HashMap<>();
  private final Map<String, ServingModel> models = new TreeMap<>();
  private volatile ServedModels served;
  private volatile int live;
  private long nextJob;
  private long timer = -1;

  public GatewayNode(String nodeId, String defaultModel, ServingLimits limits, Observer observer) {
    this.nodeId = nodeId;
    this.defaultModel = defaultModel;
    this.limits = limits;
    this.observer = observer;
    this.served = new ServedModels(List.of(), defaultModel, limits);
  }

  private String address() {
    return address(nodeId);
  }

  /** The event-bus address of a gateway's job events. */
  static String address(String nodeId) {
    return "pfgm.gateway." + nodeId;
  }

  @Override
  public Future<?> start() {
    var events = vertx.eventBus().<ClusterMessage>consumer(address(), m -> event(m.body()));
    var announces =
        vertx
            .eventBus()
            .<ClusterMessage>consumer(
                WorkerNode.ANNOUNCE_ADDRESS, m -> announced(m.body().getAnnounce()));
    timer = vertx.setPeriodic(WorkerNode.ANNOUNCE_MS, id -> reapSilent());
    return Future.all(events.completion(), announces.completion());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** The models the workers serve now (models stay once seen: with no worker left, UNAVAILABLE). */
  public ServedModels served() {
    return served;
  }

  /** Workers alive now. */
  public int workers() {
    return live;
  }

  /** The cluster manager saw a node leave: if it was a worker, its jobs resume elsewhere. */
  public synchronized void nodeLeft(String node) {
    lost(node, "left the cluster", false);
  }

  private synchronized void announced(WorkerAnnounce a) {
    Workers.Worker fresh = workers.announced(a, System.nanoTime());
    boolean added = false;
    for (WorkerModel m : a.getModelsList()) {
      String id = m.getCard().getId();
      if (!models.containsKey(id)) {
        models.put(id, new ServingModel(Wire.card(m.getCard()), job -> submit(id, job)));
        added = true;
      }
    }
    if (added) {
      served = new ServedModels(models.values(), defaultModel, limits);
    }
    if (fresh != null) {
      live = workers.all().size();
      observer.workers(live);
      LOG.info(
          () ->
              "worker "
                  + fresh.name
                  + " joined with models "
                  + fresh.models.keySet()
                  + "; "
                  + live
                  + " worker(s)");
    }
  }

  private synchronized void reapSilent() {
    for (Workers.Worker w : workers.silentSince(System.nanoTime(), SILENCE_NANOS)) {
      lost(w.nodeId, "sent no announcement for " + SILENCE_NANOS / 1_000_000 + " ms", true);
    }
  }

  private void lost(String node, String why, boolean maybeAlive) {
    Workers.Worker w = workers.remove(node);
    if (w == null) {
      return;
    }
    live = workers.all().size();
    observer.workers(live);
    List<RemoteJob> orphans = new ArrayList<>();
    for (RemoteJob r : jobs.values()) {
      if (r.worker == w) {
        orphans.add(r);
      }
    }
    LOG.warning(
        "worker "
            + w.name
            + " "
            + why
            + ": resuming its "
            + orphans.size()
            + " job(s) on other workers; "
            + live
            + " worker(s) left");
    for (RemoteJob r : orphans) {
      if (maybeAlive) { // a slow worker must not go on with a job that now runs elsewhere
        send(w.address, control(r).setCancel(true));
      }
      r.attempt++;
      place(r, true);
    }
  }

  /** Places a stream's job; failures (no worker, cluster full) are thrown to the stream. */
  private synchronized void submit(String model, Job job) {
    if (!RemoteJob.resumable(job)) {
      throw new Unimplemented(
          "solver SOLVER_RK45 and noise_injection are not served through a cluster gateway yet"
              + " (their state is more than a checkpoint); send them to a single process");
    }
    RemoteJob r = new RemoteJob(nodeId + "-" + nextJob++, model, job);
    r.worker = workers.place(model, r.rows());
    job.onWake(() -> wake(r));
    jobs.put(r.id, r);
    dispatch(r, false);
  }

  /** Places a job again (its worker died); a job that cannot go on ends with its error. */
  private void place(RemoteJob r, boolean resumed) {
    try {
      r.worker = workers.place(r.model, r.rows());
    } catch (EngineException e) {
      end(r);
      r.listener.failed(e);
      return;
    }
    dispatch(r, resumed);
  }

  private void dispatch(RemoteJob r, boolean resumed) {
    long deadlineMs = 0;
    if (r.job.deadlineNanos() != Job.NO_DEADLINE) {
      long left = r.job.deadlineNanos() - System.nanoTime();
      if (left <= 0) {
        end(r);
        r.listener.failed(
            new DeadlineExpired(
                "deadline passed after "
                    + r.completedSteps()
                    + " of "
                    + r.job.samples().get(0).plannedSteps()
                    + " steps"));
        return;
      }
      deadlineMs = Math.max(1, (left + 999_999) / 1_000_000);
    }
    r.worker.placedRows += r.rows();
    if (resumed) {
      observer.resumed(r.model, r.worker.name);
      LOG.info(
          () ->
              "job "
                  + r.id
                  + " resumes on "
                  + r.worker.name
                  + " at step "
                  + r.completedSteps()
                  + " (attempt "
                  + r.attempt
                  + ")");
    } else {
      observer.placed(r.model, r.worker.name);
    }
    send(
        r.worker.address,
        ClusterMessage.newBuilder()
            .setStart(r.start(address(), deadlineMs, CHECKPOINT_EVERY))
            .build());
  }

  /** The stream cancelled its job, or a paused one may go on: tell the worker. */
  private synchronized void wake(RemoteJob r) {
    if (jobs.get(r.id) != r) {
      return;
    }
    if (r.job.cancelled()) {
      end(r);
      send(r.worker.address, control(r).setCancel(true));
      return;
    }
    flow(r);
  }

  private void flow(RemoteJob r) {
    boolean congested = !r.listener.wantsFrames();
    boolean paused = r.job.paused();
    if (congested != r.sentCongested || paused != r.sentPaused) {
      r.sentCongested = congested;
      r.sentPaused = paused;
      send(r.worker.address, control(r).setCongested(congested).setPaused(paused));
    }
  }

  private synchronized void event(ClusterMessage m) {
    JobEvent e = m.getEvent();
    RemoteJob r = jobs.get(e.getJobId());
    if (r == null || r.attempt != e.getAttempt()) {
      return; // ended, or an attempt that was replaced
    }
    switch (e.getKindCase()) {
      case ADMITTED -> r.admitted(e.getAdmitted());
      case PROGRESS -> {
        if (e.getProgress().getFrame()) {
          observer.frameHop(Wire.unixNanos() - e.getProgress().getSentUnixNanos());
        }
        r.progress(e.getProgress());
        flow(r);
      }
      case COMPLETED -> {
        end(r);
        r.completed(e.getCompleted());
      }
      case FAILED -> {
        end(r);
        r.failed(e.getFailed());
      }
      default -> {}
    }
  }

  private void end(RemoteJob r) {
    if (jobs.remove(r.id) != null) {
      r.worker.placedRows -= r.rows();
    }
  }

  private static JobControl.Builder control(RemoteJob r) {
    return JobControl.newBuilder().setJobId(r.id).setAttempt(r.attempt);
  }

  private void send(String address, JobControl.Builder control) {
    send(address, ClusterMessage.newBuilder().setControl(control).build());
  }

  private void send(String address, ClusterMessage m) {
    vertx.eventBus().send(address, m);
  }
}
