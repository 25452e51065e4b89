package dev.pfgm.client;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcStatus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;

/**
 * One running Generate call. {@link #cancel()}, {@link #pause()} and {@link #resume()} may be
 * called from any thread; everything else happens on the call's event loop. The result always
 * completes: with Completed, with the server's status, on the client's deadline or cancel, when the
 * server resets the stream, or with UNAVAILABLE when the connection is lost.
 */
public final class Generation {

  private final Vertx vertx;
  private final Duration deadline;
  private final Handler<GenerationEvent> events;
  private final UnaryOperator<CallFailed> beforeResponse;
  private final Promise<GenerationEvent.Completed> result = Promise.promise();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private volatile Context context;
  private volatile GrpcClientRequest<GenerateRequest, GenerateResponse> request;
  private volatile GrpcClientResponse<GenerateRequest, GenerateResponse> response;
  private volatile String requestId;
  private GenerationEvent.Completed completed;
  private volatile long timer = -1;
  private volatile long deadlineNanos; // System.nanoTime() when the deadline passes; set by start()

  /**
   * @param beforeResponse rewrites a failure that came before any response (adds a hint)
   */
  Generation(
      Vertx vertx,
      Duration deadline,
      Handler<GenerationEvent> events,
      UnaryOperator<CallFailed> beforeResponse) {
    if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
      throw new IllegalArgumentException("deadline must be positive, was " + deadline);
    }
    this.vertx = vertx;
    this.deadline = deadline;
    this.events = events;
    this.beforeResponse = beforeResponse;
  }

  /**
   * Starts the deadline's clock now, with its timer on the call's context: the deadline covers the
   * whole call, connecting included (a server that accepts the connection and never answers ends
   * the call at the deadline too).
   */
  void start(Context callContext) {
    context = callContext;
    if (deadline != null) {
      deadlineNanos = System.nanoTime() + deadline.toNanos();
      callContext.runOnContext(
          v -> {
            if (!result.future().isComplete()) {
              long left = Math.max(1, (deadlineNanos - System.nanoTime() + 999_999) / 1_000_000);
              timer = vertx.setTimer(left, id -> expire());
            }
          });
    }
  }

  /**
   * The server's id for this call (its x-request-id header, in its logs too), or null before it
   * answered.
   */
  public String requestId() {
    return requestId;
  }

  /** Completes with the Completed event, or fails with {@link CallFailed}. */
  public Future<GenerationEvent.Completed> result() {
    return result.future();
  }

  /** Cancels the call (the server stops its job); the result fails with CANCELLED. */
  public void cancel() {
    if (cancelled.compareAndSet(false, true)) {
      Context ctx = context;
      if (ctx != null) {
        ctx.runOnContext(v -> cancelRequest());
      }
      finish(new CallFailed(GrpcStatus.CANCELLED, "cancelled by the client"));
    }
  }

  /** Stops reading; the server's writes back up and it coalesces Step events (latest wins). */
  public void pause() {
    onResponse(GrpcClientResponse::pause);
  }

  public void resume() {
    onResponse(GrpcClientResponse::resume);
  }

  void send(GrpcClientRequest<GenerateRequest, GenerateResponse> req, GenerateRequest message) {
    context = Vertx.currentContext();
    request = req;
    if (result.future().isComplete()) {
      req.cancel(); // cancelled or expired while connecting: send nothing
      return;
    }
    if (deadline != null) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        expire();
        return;
      }
      // What is left, in whole milliseconds rounded up: the server reads grpc-timeout in ms, and
      // a value it reads as 0 would mean no deadline at all.
      req.timeout((left + 999_999) / 1_000_000, TimeUnit.MILLISECONDS);
    }
    req.response()
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                attach(ar.result());
              } else {
                fail(ar.cause());
              }
            });
    req.end(message).onFailure(this::fail);
  }

  private void attach(GrpcClientResponse<GenerateRequest, GenerateResponse> resp) {
    response = resp;
    requestId = resp.headers().get("x-request-id");
    if (resp.status() != null && resp.status() != GrpcStatus.OK) {
      finish(new CallFailed(resp.status(), StatusMessages.of(resp)));
      return;
    }
    resp.messageHandler(this::receive);
    resp.exceptionHandler(this::fail);
    // A reset reaches only the error handler (ours come after finish(), so they change nothing).
    resp.errorHandler(
        error ->
            finish(
                new CallFailed(
                    error == null ? GrpcStatus.INTERNAL : error.status,
                    "the server reset the stream" + (error == null ? "" : " (" + error + ")"))));
    resp.invalidMessageHandler(
        invalid ->
            abort(
                new CallFailed(
                    GrpcStatus.RESOURCE_EXHAUSTED,
                    "a message from the server is over the client's limit: " + invalid.getMessage(),
                    invalid)));
    resp.endHandler(
        v -> {
          if (resp.status() != GrpcStatus.OK) {
            finish(new CallFailed(resp.status(), StatusMessages.of(resp)));
          } else if (completed == null) {
            finish(new CallFailed(GrpcStatus.INTERNAL, "stream ended without a Completed event"));
          } else {
            finish(null);
          }
        });
  }

  /** Decodes here, not in Vert.x: its decoder answers a bad message by a silent cancel. */
  private void receive(GrpcMessage message) {
    if (result.future().isComplete()) {
      return; // cancelled or expired: later messages are stale
    }
    GenerationEvent event;
    try {
      event = GenerationEvent.of(decode(message));
    } catch (IOException | RuntimeException e) {
      abort(
          new CallFailed(
              GrpcStatus.INTERNAL,
              "cannot decode a message from the server: " + e.getMessage(),
              e));
      return;
    }
    if (event instanceof GenerationEvent.Completed c) {
      completed = c;
    }
    try {
      events.handle(event);
    } catch (RuntimeException e) {
      abort(
          e instanceof CallFailed f
              ? f
              : new CallFailed(GrpcStatus.CANCELLED, "event handler failed: " + e, e));
    }
  }

  static GenerateResponse decode(GrpcMessage message) throws IOException {
    byte[] bytes = message.payload().getBytes();
    return switch (message.encoding()) {
      case "identity" -> GenerateResponse.parseFrom(bytes);
      case "gzip" ->
          GenerateResponse.parseFrom(new GZIPInputStream(new ByteArrayInputStream(bytes)));
      default -> throw new IOException("unsupported message encoding '" + message.encoding() + "'");
    };
  }

  /** The deadline passed (on the call's context, from start() or send()). */
  private void expire() {
    timer = -1;
    abort(
        new CallFailed(
            GrpcStatus.DEADLINE_EXCEEDED,
            "client deadline of " + deadline.toMillis() + " ms passed"));
  }

  /**
   * Ends the call with {@code failure}, then cancels the stream: our own reset must not decide the
   * status.
   */
  private void abort(CallFailed failure) {
    if (!result.future().isComplete()) {
      finish(failure);
      Context ctx = context;
      if (ctx != null) {
        ctx.runOnContext(v -> cancelRequest());
      }
    }
  }

  private void cancelRequest() {
    GrpcClientRequest<?, ?> req = request;
    if (req != null) {
      req.cancel();
    }
  }

  void fail(Throwable t) {
    CallFailed f = Failures.of(t);
    finish(response == null ? beforeResponse.apply(f) : f);
  }

  private void finish(CallFailed failure) {
    long t = timer;
    if (t >= 0 && vertx.cancelTimer(t)) {
      timer = -1;
    }
    if (failure == null) {
      result.tryComplete(completed);
    } else {
      boolean deadlinePassed = deadline != null && System.nanoTime() - deadlineNanos >= 0;
      result.tryFail(Failures.afterDeadline(failure, deadlinePassed, cancelled.get()));
    }
  }

  private void onResponse(java.util.function.Consumer<GrpcClientResponse<?, ?>> action) {
    Context ctx = context;
    if (ctx != null) {
      ctx.runOnContext(
          v -> {
            GrpcClientResponse<?, ?> resp = response;
            if (resp != null && !result.future().isComplete()) {
              action.accept(resp);
            }
          });
    }
  }
}
