package dev.pfgm.server.transport;

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

  Stream open(Context context, long arrivedNanos) {
    Stream s = new Stream(context, arrivedNanos);
    open.add(s);
    return s;
  }

  int size() {
    return open.size();
  }

  /** Ends every open stream with UNAVAILABLE (which cancels its job); returns how many there were. */
  int cancelAll(String message) {
    int n = 0;
    for (Stream s : open) {
      n++;
      s.context.runOnContext(v -> s.writer.fail(new Unavailable(message)));
    }
    return n;
  }

  /** One open Generate stream. */
  final class Stream implements StreamWriter.Ended {
    private final Context context;
    private final long arrivedNanos;
    private StreamWriter writer;
    private Job job;
    private String model = "";

    private Stream(Context context, long arrivedNanos) {
      this.context = context;
      this.arrivedNanos = arrivedNanos;
    }

    void writer(StreamWriter w) {
      writer = w;
    }

    /** The request was validated and its job is about to be submitted. */
    void started(String modelId, Job j) {
      model = modelId;
      job = j;
    }

    /** However the stream ended, its job leaves the next batch. */
    @Override
    public void ended(GrpcStatus status, int skippedSteps) {
      if (job != null) {
        job.cancel();
      }
      if (open.remove(this)) {
        observer.streamEnded(model, status, System.nanoTime() - arrivedNanos, skippedSteps);
      }
    }
  }
}
