package dev.pfgm.server.transport;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.proto.v1.GeneratorGrpcService;
import com.google.protobuf.Descriptors;
import dev.pfgm.proto.v1.ListModelsResponse;
import dev.pfgm.server.engine.Job;
import dev.pfgm.server.sampler.Trajectory;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;
import java.util.List;

/**
 * The pfgm.v1.Generator service on the event loop: validates, hands the job to its engine, and
 * streams the engine's events back. Never blocks; every failure ends only its own stream.
 */
public final class GeneratorEndpoint implements Service {

  private final RequestValidator validator;
  private final JobSink jobs;
  private final ListModelsResponse catalog;
  private final OpenStreams streams;
  private volatile boolean serving = true;

  public GeneratorEndpoint(RequestValidator validator, JobSink jobs, ListModelsResponse catalog,
      GenerateObserver observer) {
    this.validator = validator;
    this.jobs = jobs;
    this.catalog = catalog;
    this.streams = new OpenStreams(observer);
  }

  @Override
  public ServiceName name() {
    return GeneratorGrpcService.SERVICE_NAME;
  }

  @Override
  public Descriptors.ServiceDescriptor descriptor() {
    return GeneratorGrpcService.SERVICE_DESCRIPTOR;
  }

  /** Binds both methods to the full request, which Generate needs for cancellation and deadlines. */
  @Override
  public void bind(GrpcServer server) {
    server.callHandler(GeneratorGrpcService.Generate, this::generate);
    server.callHandler(GeneratorGrpcService.ListModels, request -> request.handler(req -> request.response().end(catalog)));
  }

  /** New streams get UNAVAILABLE from now on; running ones go on. */
  public void stopAccepting() {
    serving = false;
  }

  public boolean serving() {
    return serving;
  }

  /** Generate streams that have not ended yet (any thread). */
  public int openStreams() {
    return streams.size();
  }

  /**
   * Ends every open Generate stream with UNAVAILABLE and the given message, and cancels its job
   * (for shutdown, after the grace period). Returns how many streams were open.
   */
  public int cancelOpenStreams(String message) {
    return streams.cancelAll(message);
  }

  private void generate(GrpcServerRequest<GenerateRequest, GenerateResponse> request) {
    long arrived = System.nanoTime();
    Context context = Vertx.currentContext();
    OpenStreams.Stream open = streams.open(request.response(), context, arrived);
    StreamWriter writer = new StreamWriter(open.response());
    open.writer(writer);
    Job[] job = new Job[1];
    request.errorHandler(error -> {
      open.broken();
      writer.cancelled();
      if (job[0] != null) {
        job[0].cancel();
      }
    });
    request.handler(req -> {
      try {
        if (!serving) {
          throw new Unavailable("server is shutting down; retry on another instance");
        }
        GenerationPlan plan = validator.validate(req);
        List<Trajectory> trajectories = plan.trajectories();
        GenerateCall call = new GenerateCall(plan, trajectories, context, writer, arrived);
        long timeoutMs = request.timeout();
        long deadline = timeoutMs > 0 ? arrived + timeoutMs * 1_000_000L : Job.NO_DEADLINE;
        job[0] = new Job(trajectories, plan.classOneHot(), plan.previewEvery(), deadline, call);
        open.started(plan.model().id(), job[0]);
        jobs.submit(plan.model().id(), job[0]);
      } catch (RuntimeException e) {
        writer.fail(e);
      }
    });
  }
}
