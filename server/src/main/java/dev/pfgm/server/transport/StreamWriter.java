package dev.pfgm.server.transport;

import dev.pfgm.proto.v1.Completed;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.server.engine.Job;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.ArrayDeque;

/**
 * Writes one stream's events with backpressure, on the call's event loop only. While the stream is
 * congested ({@link WriteBudget}: bytes written but not yet sent, or Vert.x's write queue full)
 * Step events coalesce: the latest wins and the next one written reports how many were skipped. In
 * lossless mode (DELIVERY_ALL) nothing is coalesced: a congested stream pauses its job instead (its
 * rows leave the batch) and resumes it once the backlog of Step events has been written. Started,
 * Completed and errors are never dropped. Every way the stream ends - Completed, an error status,
 * the client's cancel or reset, a lost connection - goes through here and is reported once, with
 * its status, to {@link Ended}.
 */
final class StreamWriter {

  /** Told once when the stream ends, however it ends. */
  interface Ended {
    /**
     * @param completed the Completed event the stream ended with, or null
     */
    void ended(GrpcStatus status, int skippedSteps, Completed completed);
  }

  private final GrpcServerResponse<?, GenerateResponse> response;
  private final WriteBudget budget;
  private final Ended ended;
  private final ArrayDeque<GenerateResponse> backlog = new ArrayDeque<>(); // lossless mode only
  private Job lossless; // the job to pause, in lossless mode
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

  /** Delivers every Step event of this stream, pausing {@code job} while the client is behind. */
  void lossless(Job job) {
    lossless = job;
  }

  /**
   * Writes a Step event, or keeps it as the latest (lossless: queues it) while the client is slow.
   */
  void step(GenerateResponse step) {
    if (closed) {
      return;
    }
    if (lossless != null) {
      if (backlog.isEmpty() && !full()) {
        write(step);
      } else {
        // The engine sees the pause at its next tick: the backlog grows by a step or two at most.
        backlog.add(step);
        lossless.pause();
      }
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
    GenerateResponse completed =
        skippedTotal == 0
            ? done
            : done.toBuilder()
                .setCompleted(done.getCompleted().toBuilder().setSkippedSteps(skippedTotal))
                .build();
    if (full() || !backlog.isEmpty()) {
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
    backlog.clear();
    ended.ended(status, skippedTotal, null);
  }

  private boolean full() {
    return budget.congested(queuedBytes) || response.writeQueueFull();
  }

  private void drain() {
    if (closed) {
      return;
    }
    try {
      writePending();
    } catch (IllegalStateException e) {
      broken(GrpcStatus.CANCELLED); // Vert.x throws on a stream the client reset before we heard
    }
  }

  private void writePending() {
    if (pendingStep != null && !full()) {
      GenerateResponse s = pendingStep;
      pendingStep = null;
      write(withSkipped(s));
    }
    while (!backlog.isEmpty() && !full() && !closed) {
      write(backlog.poll());
    }
    if (lossless != null && backlog.isEmpty() && !full() && lossless.paused()) {
      lossless.resume();
    }
    if (pendingEnd != null && backlog.isEmpty() && !full()) {
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
    ended.ended(status, skippedTotal, last == null ? null : last.getCompleted());
  }

  /** Counts bytes until their write completes (sent, or failed with the stream). */
  private void queued(int bytes, io.vertx.core.Future<Void> written) {
    queuedBytes += bytes;
    budget.add(bytes);
    written.onComplete(
        ar -> {
          queuedBytes -= bytes;
          budget.release(bytes);
          if (ar.failed()) {
            // The stream closed under its queued writes (reset, lost connection): nothing more to
            // send.
            broken(GrpcStatus.CANCELLED);
            return;
          }
          // Also when nothing is pending: a congested stream must learn that it is no longer full.
          drain();
        });
  }

  private GenerateResponse withSkipped(GenerateResponse step) {
    if (skipped == 0) {
      return step;
    }
    GenerateResponse s =
        step.toBuilder().setStep(step.getStep().toBuilder().setSkipped(skipped)).build();
    skipped = 0;
    return s;
  }
}
