package dev.pfgm.server.cluster;

import dev.pfgm.proto.internal.v1.ClusterMessage;
import dev.pfgm.proto.internal.v1.JobControl;
import dev.pfgm.proto.internal.v1.JobStart;
import dev.pfgm.proto.internal.v1.WorkerAnnounce;
import dev.pfgm.proto.internal.v1.WorkerModel;
import dev.pfgm.proto.v1.Solver;
import dev.pfgm.server.engine.EnginesGone;
import dev.pfgm.server.engine.Job;
import dev.pfgm.server.runtime.ModelCard;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import dev.pfgm.server.sampler.Trajectory;
import dev.pfgm.server.transport.JobSink;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A worker's side of the cluster: announces its models and load to every gateway, runs the jobs
 * gateways send on its local engines, and applies their controls (cancel, congestion, pause).
 */
public final class WorkerNode extends VerticleBase {

  /** Where workers publish their announcements. */
  public static final String ANNOUNCE_ADDRESS = "pfgm.cluster.workers";

  /** How often a worker announces itself; a gateway drops it after three silent periods. */
  public static final long ANNOUNCE_MS = 500;

  /** A model this worker serves: its card, where its jobs go, and its rows. */
  public record Offer(
      ModelCard card, JobSink sink, int loadRows, int capacityRows, int maxJobRows) {}

  private final String nodeId;
  private final String name;
  private final Supplier<List<Offer>> offers;
  private final Map<String, WorkerCall> jobs = new ConcurrentHashMap<>();
  private MessageConsumer<ClusterMessage> consumer;
  private long timer = -1;
  private volatile boolean draining;

  /**
   * @param nodeId the cluster manager's id of this node
   * @param name host:port of its cluster endpoint, for people
   * @param offers the models served now, read at every announcement and job
   */
  public WorkerNode(String nodeId, String name, Supplier<List<Offer>> offers) {
    this.nodeId = nodeId;
    this.name = name;
    this.offers = offers;
  }

  /** The event-bus address of a worker's jobs and controls. */
  static String address(String nodeId) {
    return "pfgm.worker." + nodeId;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(address(nodeId), m -> handle(m.body()));
    return consumer
        .completion()
        .onSuccess(
            v -> {
              announce();
              timer = vertx.setPeriodic(ANNOUNCE_MS, id -> announce());
            });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return consumer.unregister();
  }

  /**
   * Gateways place no new job here from now on; running jobs go on (for a drain). Announcements go
   * on too, saying so: a worker that fell silent would have its jobs resumed elsewhere.
   */
  public void drain() {
    draining = true;
    vertx.runOnContext(v -> announce());
  }

  /**
   * A node left the cluster: the jobs of a gateway that left have nobody to send to, and go. (Their
   * clients' streams ended with that gateway.)
   */
  public void nodeLeft(String node) {
    String gateway = GatewayNode.address(node);
    jobs.entrySet()
        .removeIf(
            e -> {
              if (e.getValue().replyTo().equals(gateway)) {
                e.getValue().job.cancel();
                return true;
              }
              return false;
            });
  }

  /** Jobs of gateways running here now. */
  public int runningJobs() {
    return jobs.size();
  }

  private void announce() {
    WorkerAnnounce.Builder a =
        WorkerAnnounce.newBuilder()
            .setNodeId(nodeId)
            .setName(name)
            .setAddress(address(nodeId))
            .setDraining(draining);
    for (Offer o : offers.get()) {
      a.addModels(
          WorkerModel.newBuilder()
              .setCard(Wire.card(o.card()))
              .setCapacityRows(o.capacityRows())
              .setLoadRows(o.loadRows())
              .setMaxJobRows(o.maxJobRows()));
    }
    vertx.eventBus().publish(ANNOUNCE_ADDRESS, ClusterMessage.newBuilder().setAnnounce(a).build());
  }

  private void handle(ClusterMessage m) {
    if (m.hasStart()) {
      start(m.getStart());
    } else if (m.hasControl()) {
      control(m.getControl());
    }
  }

  private void start(JobStart s) {
    Schedule schedule = Schedule.of(s.getSigmasList().stream().mapToDouble(d -> d).toArray());
    SolverKind solver = s.getSolver() == Solver.SOLVER_EULER ? SolverKind.EULER : SolverKind.HEUN;
    WorkerCall[] self = new WorkerCall[1];
    WorkerCall call =
        new WorkerCall(
            vertx.eventBus(), s, schedule.steps(), () -> jobs.remove(s.getJobId(), self[0]));
    self[0] = call;
    Offer offer =
        offers.get().stream()
            .filter(o -> o.card().id().equals(s.getModel()))
            .findFirst()
            .orElse(null);
    if (offer == null) {
      call.failed(new EnginesGone("worker " + name + " does not serve model " + s.getModel()));
      return;
    }
    List<Trajectory> samples =
        s.getSamplesList().stream()
            .map(c -> Trajectory.resume(solver, schedule, Wire.checkpoint(c)))
            .toList();
    float[] oneHot = null;
    if (s.getClassOneHotCount() > 0) {
      oneHot = new float[s.getClassOneHotCount()];
      for (int k = 0; k < oneHot.length; k++) {
        oneHot[k] = s.getClassOneHot(k);
      }
    }
    long deadline =
        s.getDeadlineMs() == 0
            ? Job.NO_DEADLINE
            : System.nanoTime() + s.getDeadlineMs() * 1_000_000L;
    // Every step reaches the call, which decides what crosses to the gateway (frames, checkpoints).
    Job job = new Job(samples, oneHot, 1, deadline, call);
    call.job = job;
    if (s.getPaused()) {
      job.pause();
    }
    jobs.put(s.getJobId(), call);
    offer.sink().submit(job);
  }

  private void control(JobControl c) {
    WorkerCall call = jobs.get(c.getJobId());
    if (call == null || call.attempt() != c.getAttempt()) {
      return; // ended already, or an older attempt
    }
    if (c.getCancel()) {
      jobs.remove(c.getJobId());
      call.job.cancel();
      return;
    }
    call.congested(c.getCongested());
    if (c.getPaused() && !call.job.paused()) {
      call.job.pause();
    } else if (!c.getPaused() && call.job.paused()) {
      call.job.resume();
    }
  }
}
