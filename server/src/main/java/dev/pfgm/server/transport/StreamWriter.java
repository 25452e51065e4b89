package dev.pfgm.server.transport;

import dev.pfgm.proto.v1.GenerateResponse;
import io.vertx.grpc.server.GrpcServerResponse;

/**
 * Writes one stream's events with backpressure, on the call's event loop only. While the write
 * queue is full, Step events coalesce (the latest wins; the next one written reports how many were
 * skipped); Started, Completed and errors are never dropped. Nothing is written once the call is
 * cancelled or ended.
 */
final class StreamWriter {

  private final GrpcServerResponse<?, GenerateResponse> response;
  private GenerateResponse pendingStep;
  private GenerateResponse pendingEnd;
  private int skipped;
  private int skippedTotal;
  private boolean closed;
  // Read by the engine thread to skip building frames nobody can receive yet.
  private volatile boolean congested;

  StreamWriter(GrpcServerResponse<?, GenerateResponse> response) {
    this.response = response;
    response.drainHandler(v -> drain());
    response.exceptionHandler(e -> closed = true);
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
    if (response.writeQueueFull()) {
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
    if (response.writeQueueFull()) {
      pendingEnd = completed;
    } else {
      end(completed);
    }
  }

  /** Ends the stream with an error status. */
  void fail(Throwable error) {
    if (closed) {
      return;
    }
    response.status(Statuses.of(error)).statusMessage(Statuses.message(error));
    end(null);
  }

  /** The client went away: write nothing more. */
  void cancelled() {
    closed = true;
    pendingStep = null;
    pendingEnd = null;
  }

  /** Step events dropped so far because the client read slowly. */
  int skippedTotal() {
    return skippedTotal;
  }

  private void drain() {
    if (closed) {
      return;
    }
    if (pendingStep != null && !response.writeQueueFull()) {
      GenerateResponse s = pendingStep;
      pendingStep = null;
      write(withSkipped(s));
    }
    if (pendingEnd != null && !response.writeQueueFull()) {
      GenerateResponse last = pendingEnd;
      pendingEnd = null;
      end(last);
    }
    congested = response.writeQueueFull();
  }

  // Vert.x throws on writes to a stream the client has reset before its errorHandler ran.
  private void write(GenerateResponse message) {
    try {
      response.write(message);
    } catch (IllegalStateException e) {
      cancelled();
    }
  }

  /** Ends the stream, with a last message or (for errors) none. */
  private void end(GenerateResponse last) {
    closed = true;
    try {
      if (last == null) {
        response.end();
      } else {
        response.end(last);
      }
    } catch (IllegalStateException e) {
      cancelled();
    }
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
