package dev.pfgm.server.transport;

import dev.pfgm.proto.v1.GenerateResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerResponse;

/**
 * Writes one stream's events with backpressure, on the call's event loop only. While the stream
 * is congested ({@link WriteBudget}: bytes written but not yet sent, or Vert.x's write queue full)
 * Step events coalesce: the latest wins and the next one written reports how many were skipped.
 * Started, Completed and errors are never dropped. Every way the stream ends - Completed, an error
 * status, the client's cancel or reset, a lost connection - goes through here and is reported
 * once, with its status, to {@link Ended}.
 */
final class StreamWriter {

  /** Told once when the stream ends, however it ends. */
  interface Ended {
    void ended(GrpcStatus status, int skippedSteps);
  }

  private final GrpcServerResponse<?, GenerateResponse> response;
  private final WriteBudget budget;
  private final Ended ended;
  private GenerateResponse pendingStep;
  private GenerateResponse pendingEnd;
  private int skipped;
  private int skippedTotal;
  private long queuedBytes; // written to the response, not yet sent to the socket
  private boolean closed;
  // Read by the engine thread to skip building frames nobody can receive yet.
  private volatile boolean congested;

  StreamWriter(GrpcServerResponse<?, GenerateResponse> response, WriteBudget budget, Ended ended) {
    this.response = response;
    this.budget = budget;
    this.ended = ended;
    response.drainHandler(v -> drain());
    // A closed connection or GOAWAY reaches the response as an exception, not as a cancel.
    response.exceptionHandler(e -> broken(GrpcStatus.CANCELLED));
  }

  /** Writes an event that must arrive (Started). */
  void event(GenerateResponse event) {
    if (!closed) {
      write(event);
    }
  }

  /** Writes a Step event, or keeps it as the latest while the client is slow. */
  void step(GenerateResponse step) {
    if (closed) {
      return;
    }
    if (full()) {
      congested = true;
      if (pendingStep != null) {
        skip();
      }
      pendingStep = step;
      return;
    }
    write(withSkipped(step));
  }

  /** Counts a Step event that was not even built because the stream was congested. */
  void skip() {
    skipped++;
    skippedTotal++;
  }

  /** Whether the client is behind: Step events built now would only be coalesced away. */
  boolean congested() {
    return congested;
  }

  boolean closed() {
    return closed;
  }

  /** Ends the stream with its last event (Completed), after any earlier writes drain. */
  void complete(GenerateResponse done) {
    if (closed) {
      return;
    }
    if (pendingStep != null) {
      // A stale preview: the final result supersedes it.
      skippedTotal++;
      pendingStep = null;
    }
    GenerateResponse completed = skippedTotal == 0 ? done : done.toBuilder()
        .setCompleted(done.getCompleted().toBuilder().setSkippedSteps(skippedTotal)).build();
    if (full()) {
      pendingEnd = completed;
    } else {
      end(completed, GrpcStatus.OK);
    }
  }

  /** Ends the stream with the error's status and message. */
  void fail(Throwable error) {
    if (closed) {
      return;
    }
    GrpcStatus status = Statuses.of(error);
    response.status(status).statusMessage(Statuses.message(error));
    end(null, status);
  }

  /** The client went away (cancel, reset, lost connection): write nothing more. */
  void broken(GrpcStatus status) {
    if (closed) {
      return;
    }
    closed = true;
    pendingStep = null;
    pendingEnd = null;
    ended.ended(status, skippedTotal);
  }

  private boolean full() {
    return budget.congested(queuedBytes) || response.writeQueueFull();
  }

  private void drain() {
    if (closed) {
      return;
    }
    if (pendingStep != null && !full()) {
      GenerateResponse s = pendingStep;
      pendingStep = null;
      write(withSkipped(s));
    }
    if (pendingEnd != null && !full()) {
      GenerateResponse last = pendingEnd;
      pendingEnd = null;
      end(last, GrpcStatus.OK);
      return;
    }
    congested = full();
  }

  private void write(GenerateResponse message) {
    int bytes = message.getSerializedSize();
    try {
      queued(bytes, response.write(message));
    } catch (IllegalStateException e) {
      // Vert.x throws on writes to a stream the client reset before its error handler ran.
      broken(GrpcStatus.CANCELLED);
    }
  }

  /** Ends the stream, with a last message or (for errors) none, and reports the end. */
  private void end(GenerateResponse last, GrpcStatus status) {
    closed = true;
    try {
      if (last == null) {
        response.end();
      } else {
        queued(last.getSerializedSize(), response.end(last));
      }
    } catch (IllegalStateException e) {
      status = GrpcStatus.CANCELLED;
    }
    ended.ended(status, skippedTotal);
  }

  /** Counts bytes until their write completes (sent, or failed with the stream). */
  private void queued(int bytes, io.vertx.core.Future<Void> written) {
    queuedBytes += bytes;
    budget.add(bytes);
    written.onComplete(ar -> {
      queuedBytes -= bytes;
      budget.release(bytes);
      if (pendingStep != null || pendingEnd != null) {
        drain();
      }
    });
  }

  private GenerateResponse withSkipped(GenerateResponse step) {
    if (skipped == 0) {
      return step;
    }
    GenerateResponse s = step.toBuilder().setStep(step.getStep().toBuilder().setSkipped(skipped)).build();
    skipped = 0;
    return s;
  }
}
