package dev.pfgm.server.it;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * gRPC spoken by hand over HTTP/2 (plaintext, prior knowledge): any headers, any body bytes, and
 * the answer as the wire has it. For inputs a well-behaved client never sends.
 */
final class RawGrpc implements AutoCloseable {

  static final String GENERATE = "/pfgm.v1.Generator/Generate";

  /**
   * What came back: the HTTP status, grpc-status (headers or trailers; null if none) and message.
   */
  record Answer(
      int httpStatus, Integer grpcStatus, String grpcMessage, int bodyBytes, String requestId) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http;
  private final int port;

  RawGrpc(int port) {
    this.port = port;
    http =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
  }

  /** The client's own Vert.x instance (what it logs is not the server's). */
  Vertx vertx() {
    return vertx;
  }

  /** A gRPC frame: compressed flag, 4-byte big-endian length, payload. */
  static Buffer frame(boolean compressed, int declaredLength, byte[] payload) {
    return Buffer.buffer()
        .appendByte((byte) (compressed ? 1 : 0))
        .appendInt(declaredLength)
        .appendBytes(payload);
  }

  static Buffer frame(byte[] payload) {
    return frame(false, payload.length, payload);
  }

  /**
   * Sends {@code body} as the whole request; waits up to 20 s for the whole answer (a hang fails).
   */
  Answer call(String path, Consumer<MultiMap> headers, Buffer body) throws Exception {
    return await(request(path, headers).compose(req -> exchange(req, body)));
  }

  /**
   * Sends {@code body} as the whole request and reads the whole answer. The answer is asked for
   * before anything is sent: a response that has already ended when {@code body()} is first called
   * never completes it (Vert.x keeps no body it was not asked for), so {@code
   * req.send(body).compose(answer)} hangs whenever the calling thread is held up between the two
   * calls while an event loop receives the whole answer - a fast trailers-only status, on a busy
   * machine.
   */
  Future<Answer> exchange(HttpClientRequest req, Buffer body) {
    Future<Answer> answer = req.response().compose(this::answer);
    req.end(body);
    return answer;
  }

  Future<HttpClientRequest> request(String path, Consumer<MultiMap> headers) {
    return http.request(
            new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost("localhost")
                .setPort(port)
                .setURI(path))
        .map(
            req -> {
              req.putHeader("content-type", "application/grpc").putHeader("te", "trailers");
              headers.accept(req.headers());
              return req;
            });
  }

  private Future<Answer> answer(HttpClientResponse resp) {
    return resp.body()
        .map(
            body -> {
              String status =
                  resp.getHeader("grpc-status") != null
                      ? resp.getHeader("grpc-status")
                      : resp.getTrailer("grpc-status");
              String message =
                  resp.getHeader("grpc-message") != null
                      ? resp.getHeader("grpc-message")
                      : resp.getTrailer("grpc-message");
              return new Answer(
                  resp.statusCode(),
                  status == null ? null : Integer.valueOf(status),
                  message == null
                      ? null
                      : java.net.URLDecoder.decode(
                          message, java.nio.charset.StandardCharsets.UTF_8),
                  body.length(),
                  resp.getHeader("x-request-id"));
            });
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    await(vertx.close());
  }
}
