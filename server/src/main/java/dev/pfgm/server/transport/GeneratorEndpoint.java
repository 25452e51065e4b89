package dev.pfgm.server.transport;

import com.google.protobuf.Descriptors;
import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.proto.v1.GeneratorGrpcService;
import dev.pfgm.server.engine.Job;
import dev.pfgm.server.sampler.SampleSolve;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;
import java.util.List;
import java.util.function.Supplier;

/**
 * The pfgm.v1.Generator service on the event loop: validates, hands the job to its engine, and
 * streams the engine's events back. Never blocks; every failure ends only its own stream.
 */
public final class GeneratorEndpoint implements Service {

  private final Supplier<ServedModels> models;
  private final OpenStreams streams;
  private final WriteBudget budget;
  private final int maxRequestBytes;

  /** How early a client's cancel may come and still be its deadline, not a cancel. */
  static final long DEADLINE_SLACK_NANOS = 20_000_000L;

  private volatile boolean serving = true;

  /**
   * @param models the models served now; read once per call (a volatile read: reloads replace the
   *     set)
   */
  public GeneratorEndpoint(
      Supplier<ServedModels> models,
      GenerateObserver observer,
      WriteBudget budget,
      int maxRequestBytes) {
    this.models = models;
    this.streams = new OpenStreams(observer);
    this.budget = budget;
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public ServiceName name() {
    return GeneratorGrpcService.SERVICE_NAME;
  }

  @Override
  public Descriptors.ServiceDescriptor descriptor() {
    return GeneratorGrpcService.SERVICE_DESCRIPTOR;
  }

  /**
   * Binds both methods to the full request, which Generate needs for cancellation and deadlines.
   */
  @Override
  public void bind(GrpcServer server) {
    server.callHandler(GeneratorGrpcService.Generate, this::generate);
    // ListModelsRequest has no fields: answer at the request's end, whatever its message held.
    server.callHandler(
        GeneratorGrpcService.ListModels,
        request ->
            request
                .messageHandler(m -> {})
                .endHandler(v -> request.response().end(models.get().catalog())));
  }

  /** New streams get UNAVAILABLE from now on; running ones go on. */
  public void stopAccepting() {
    serving = false;
  }

  public boolean serving() {
    return serving;
  }

  /** Response bytes written but not yet sent, over all streams (any thread). */
  public long queuedBytes() {
    return budget.queuedBytes();
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

  /**
   * One Generate call. Generate takes exactly one request message: the job starts when the client
   * half-closes after it (as grpc-java's server does), so a second message, or none, is an error
   * that starts nothing.
   */
  private void generate(GrpcServerRequest<GenerateRequest, GenerateResponse> request) {
    long arrived = System.nanoTime();
    long deadline = deadline(arrived, request.timeout());
    Context context = Vertx.currentContext();
    String requestId = RequestIds.of(request.headers().get(RequestIds.HEADER));
    request.response().headers().set(RequestIds.HEADER, requestId);
    OpenStreams.Stream open =
        streams.open(
            context, arrived, requestId, String.valueOf(request.connection().remoteAddress()));
    StreamWriter writer = new StreamWriter(request.response(), budget, open);
    open.writer(writer);
    GenerateRequest[] received = new GenerateRequest[1];
    request.messageHandler(
        message -> {
          if (writer.closed()) {
            return;
          }
          try {
            if (received[0] != null) {
              throw new InvalidArgument(
                  "Generate takes exactly one GenerateRequest; a second message arrived");
            }
            received[0] = RequestMessages.decode(message);
          } catch (RuntimeException e) {
            writer.fail(e);
          }
        });
    request.invalidMessageHandler(
        invalid ->
            writer.fail(
                invalid instanceof MessageSizeOverflowException
                    ? new RequestTooLarge(
                        "the request message is over the server's "
                            + maxRequestBytes
                            + "-byte limit")
                    : new InvalidArgument("malformed request message: " + invalid.getMessage())));
    request.endHandler(
        v -> {
          if (writer.closed()) {
            return;
          }
          if (received[0] == null) {
            writer.fail(
                new InvalidArgument(
                    "Generate needs one GenerateRequest message; the request ended"
                        + " without a complete one"));
            return;
          }
          start(received[0], open, writer, context, deadline);
        });
    // A cancel or reset. A client whose deadline fires cancels, a little before the server's copy
    // of
    // the deadline (the request took time to arrive): within DEADLINE_SLACK of it, it is a
    // deadline.
    request.errorHandler(
        error ->
            writer.broken(
                deadline != Job.NO_DEADLINE
                        && System.nanoTime() - (deadline - DEADLINE_SLACK_NANOS) >= 0
                    ? GrpcStatus.DEADLINE_EXCEEDED
                    : GrpcStatus.CANCELLED));
    request.exceptionHandler(e -> writer.broken(GrpcStatus.CANCELLED));
  }

  private void start(
      GenerateRequest req,
      OpenStreams.Stream open,
      StreamWriter writer,
      Context context,
      long deadline) {
    try {
      if (!serving) {
        throw new Unavailable("server is shutting down; retry on another instance");
      }
      GenerationPlan plan;
      ServingModel version;
      do {
        // A version retired between the read and acquire() means a newer set is already published.
        ServedModels now = models.get();
        plan = now.validator().validate(req);
        version = now.model(plan.model().id());
      } while (!version.acquire());
      open.counted(version); // released when the stream ends, however it ends
      List<SampleSolve> trajectories = plan.trajectories();
      GenerateCall call = new GenerateCall(plan, trajectories, context, writer, open);
      Job job = new Job(trajectories, plan.classOneHot(), plan.previewEvery(), deadline, call);
      open.started(plan, job);
      if (plan.lossless()) {
        writer.lossless(job);
      }
      version.submit(job);
    } catch (RuntimeException e) {
      writer.fail(e);
    }
  }

  /**
   * The engine-clock deadline of a grpc-timeout; one too far to represent is none (e.g. 3000000H).
   */
  static long deadline(long arrivedNanos, long timeoutMs) {
    if (timeoutMs <= 0 || timeoutMs >= (Long.MAX_VALUE / 4) / 1_000_000L) {
      return Job.NO_DEADLINE;
    }
    return arrivedNanos + timeoutMs * 1_000_000L;
  }
}
