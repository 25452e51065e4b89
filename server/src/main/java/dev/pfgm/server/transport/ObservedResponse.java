package dev.pfgm.server.transport;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A server response that reports, once, the status it ended with: the status set before end(),
 * OK for an end without one, CANCELLED when the stream broke. Everything else is delegated, so
 * {@link StreamWriter} writes through it unchanged.
 */
final class ObservedResponse<Req, Resp> implements GrpcServerResponse<Req, Resp> {

  private final GrpcServerResponse<Req, Resp> delegate;
  private final Consumer<GrpcStatus> onEnd;
  private GrpcStatus status = GrpcStatus.OK;
  private boolean ended;

  ObservedResponse(GrpcServerResponse<Req, Resp> delegate, Consumer<GrpcStatus> onEnd) {
    this.delegate = delegate;
    this.onEnd = onEnd;
  }

  /** The client went away (cancel or reset): the stream ends as CANCELLED unless it had ended. */
  void broken() {
    ended(GrpcStatus.CANCELLED);
  }

  private void ended(GrpcStatus s) {
    if (!ended) {
      ended = true;
      onEnd.accept(s);
    }
  }

  @Override
  public GrpcServerResponse<Req, Resp> status(GrpcStatus s) {
    status = s;
    delegate.status(s);
    return this;
  }

  @Override
  public Future<Void> end() {
    Future<Void> f = delegate.end();
    ended(status);
    return f;
  }

  @Override
  public Future<Void> end(Resp item) {
    Future<Void> f = delegate.end(item);
    ended(status);
    return f;
  }

  @Override
  public Future<Void> endMessage(GrpcMessage message) {
    Future<Void> f = delegate.endMessage(message);
    ended(status);
    return f;
  }

  @Override
  public void fail(Throwable failure) {
    delegate.fail(failure);
    ended(GrpcStatus.INTERNAL);
  }

  @Override
  public void cancel() {
    delegate.cancel();
    ended(GrpcStatus.CANCELLED);
  }

  @Override
  public GrpcServerResponse<Req, Resp> exceptionHandler(Handler<Throwable> handler) {
    delegate.exceptionHandler(e -> {
      broken();
      if (handler != null) {
        handler.handle(e);
      }
    });
    return this;
  }

  @Override
  public GrpcServerResponse<Req, Resp> statusMessage(String msg) {
    delegate.statusMessage(msg);
    return this;
  }

  @Override
  public GrpcServerResponse<Req, Resp> encoding(String encoding) {
    delegate.encoding(encoding);
    return this;
  }

  @Override
  public GrpcServerResponse<Req, Resp> format(WireFormat format) {
    delegate.format(format);
    return this;
  }

  @Override
  public Set<String> acceptedEncodings() {
    return delegate.acceptedEncodings();
  }

  @Override
  public MultiMap trailers() {
    return delegate.trailers();
  }

  @Override
  public MultiMap headers() {
    return delegate.headers();
  }

  @Override
  public GrpcServerResponse<Req, Resp> setWriteQueueMaxSize(int maxSize) {
    delegate.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public GrpcServerResponse<Req, Resp> drainHandler(Handler<Void> handler) {
    delegate.drainHandler(handler);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return delegate.writeQueueFull();
  }

  @Override
  public Future<Void> writeHead() {
    return delegate.writeHead();
  }

  @Override
  public Future<Void> write(Resp data) {
    return delegate.write(data);
  }

  @Override
  public Future<Void> writeMessage(GrpcMessage message) {
    return delegate.writeMessage(message);
  }
}
