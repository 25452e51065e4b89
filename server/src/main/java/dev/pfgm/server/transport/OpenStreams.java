package dev.pfgm.server.transport;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.server.engine.Job;
import io.vertx.core.Context;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Generate streams that have not ended yet, for metrics and for shutdown: a stream joins when
 * its call arrives and leaves when its response ends, whatever the status. Each stream's state is
 * touched on its own event loop only; the set itself may be read from any thread.
 */
final class OpenStreams {

  private final Set<Stream> open = ConcurrentHashMap.newKeySet();
  private final GenerateObserver observer;

  OpenStreams(GenerateObserver observer) {
    this.observer = observer;
  }

  /** Tracks a new call; write its events through {@link Stream#response()}. */
  Stream open(GrpcServerResponse<GenerateRequest, GenerateResponse> response, Context context, long arrivedNanos) {
    Stream s = new Stream(context, arrivedNanos);
    s.response = new ObservedResponse<>(response, s::ended);
    open.add(s);
    return s;
  }

  int size() {
    return open.size();
  }

  /** Ends every open stream with UNAVAILABLE and cancels its job; returns how many there were. */
  int cancelAll(String message) {
    int n = 0;
    for (Stream s : open) {
      n++;
      s.context.runOnContext(v -> {
        if (s.job != null) {
          s.job.cancel();
        }
        if (s.writer != null) {
          s.writer.fail(new Unavailable(message));
        }
      });
    }
    return n;
  }

  /** One open Generate stream. */
  final class Stream {
    private final Context context;
    private final long arrivedNanos;
    private ObservedResponse<GenerateRequest, GenerateResponse> response;
    private StreamWriter writer;
    private Job job;
    private String model = "";

    private Stream(Context context, long arrivedNanos) {
      this.context = context;
      this.arrivedNanos = arrivedNanos;
    }

    GrpcServerResponse<GenerateRequest, GenerateResponse> response() {
      return response;
    }

    void writer(StreamWriter w) {
      writer = w;
    }

    /** The request was validated and its job is about to be submitted. */
    void started(String modelId, Job j) {
      model = modelId;
      job = j;
    }

    /** The client cancelled or reset the stream. */
    void broken() {
      response.broken();
    }

    private void ended(io.vertx.grpc.common.GrpcStatus status) {
      open.remove(this);
      observer.streamEnded(model, status, System.nanoTime() - arrivedNanos,
          writer == null ? 0 : writer.skippedTotal());
    }
  }
}
