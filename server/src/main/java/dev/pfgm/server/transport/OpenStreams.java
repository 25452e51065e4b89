package dev.pfgm.server.transport;

import dev.pfgm.proto.v1.Completed;
import dev.pfgm.server.engine.Job;
import io.vertx.core.Context;
import io.vertx.grpc.common.GrpcStatus;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Generate streams that have not ended yet, for metrics and for shutdown: a stream joins when
 * its call arrives and leaves when it ends, whatever the status. Each stream's state is touched on
 * its own event loop only; the set itself may be read from any thread.
 */
final class OpenStreams {

  private final Set<Stream> open = ConcurrentHashMap.newKeySet();
  private final GenerateObserver observer;

  OpenStreams(GenerateObserver observer) {
    this.observer = observer;
  }

  Stream open(Context context, long arrivedNanos, String requestId, String peer) {
    Stream s = new Stream(context, arrivedNanos, requestId, peer);
    open.add(s);
    return s;
  }

  int size() {
    return open.size();
  }

  /**
   * Ends every open stream with UNAVAILABLE (which cancels its job); returns how many there were.
   */
  int cancelAll(String message) {
    int n = 0;
    for (Stream s : open) {
      n++;
      s.context.runOnContext(
          v -> {
            if (s.writer
                != null) { // set on the stream's event loop right after open(): null only before
              s.writer.fail(new Unavailable(message));
            }
          });
    }
    return n;
  }

  /** One open Generate stream. */
  final class Stream implements StreamWriter.Ended {
    private final Context context;
    private final long arrivedNanos;
    private final String requestId;
    private final String peer;
    private StreamWriter writer;
    private Job job;
    private ServingModel served; // counted in until the stream ends
    private String model = "";
    private int samples;
    private int steps;
    private long firstStepNanos = GenerateObserver.NONE_NANOS;

    private Stream(Context context, long arrivedNanos, String requestId, String peer) {
      this.context = context;
      this.arrivedNanos = arrivedNanos;
      this.requestId = requestId;
      this.peer = peer;
    }

    void writer(StreamWriter w) {
      writer = w;
    }

    /** The stream uses this version of its model (acquired) until it ends. */
    void counted(ServingModel version) {
      served = version;
    }

    /** The request was validated and its job is about to be submitted. */
    void started(GenerationPlan plan, Job j) {
      model = plan.model().id();
      samples = plan.numSamples();
      steps = plan.steps();
      job = j;
    }

    long arrivedNanos() {
      return arrivedNanos;
    }

    /**
     * A Step event is about to be handed to the writer: the first one sets the time to first step.
     */
    void stepWritten() {
      if (firstStepNanos == GenerateObserver.NONE_NANOS) {
        firstStepNanos = System.nanoTime() - arrivedNanos;
      }
    }

    /** However the stream ended, its job leaves the next batch. */
    @Override
    public void ended(GrpcStatus status, int skippedSteps, Completed completed) {
      if (job != null) {
        job.cancel();
      }
      if (open.remove(this)) {
        if (served != null) {
          served.release(); // the last stream of a retired version lets its engines go
        }
        long nanos = System.nanoTime() - arrivedNanos;
        observer.streamEnded(
            new GenerateObserver.StreamEnd(
                model,
                status,
                nanos,
                firstStepNanos,
                completed == null
                    ? GenerateObserver.NONE_NANOS
                    : Math.round(completed.getQueueMs() * 1e6),
                skippedSteps));
        AccessLog.log(
            new AccessLog.Entry(
                requestId,
                model,
                samples,
                steps,
                status,
                completed == null ? Double.NaN : completed.getQueueMs(),
                completed == null ? Double.NaN : completed.getComputeMs(),
                nanos / 1e6,
                skippedSteps,
                peer));
      }
    }
  }
}
