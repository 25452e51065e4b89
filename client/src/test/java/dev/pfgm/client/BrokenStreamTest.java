package dev.pfgm.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.proto.v1.GenerateRequest;
import dev.pfgm.proto.v1.GenerateResponse;
import dev.pfgm.proto.v1.GeneratorGrpcService;
import dev.pfgm.proto.v1.Started;
import dev.pfgm.proto.v1.Step;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server that breaks its streams in the ways networks and servers do: every blocking read in the
 * client ends, with the status that says what happened, and never waits forever.
 */
class BrokenStreamTest {

  private final Vertx vertx = Vertx.vertx();
  private HttpServer http;

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Serves Generate with {@code handler}; returns client options for it. */
  private ClientOptions serve(Handler<GrpcServerRequest<GenerateRequest, GenerateResponse>> handler)
      throws Exception {
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.callHandler(GeneratorGrpcService.Generate, handler);
    http =
        vertx
            .createHttpServer()
            .requestHandler(grpc)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return ClientOptions.defaults().withTarget("127.0.0.1:" + http.actualPort());
  }

  /** Started, then {@code steps} Step events; then {@code after} breaks the stream. */
  private static Handler<GrpcServerRequest<GenerateRequest, GenerateResponse>> startedThen(
      int steps, Handler<GrpcServerRequest<GenerateRequest, GenerateResponse>> after) {
    return request ->
        request.handler(
            req -> {
              request
                  .response()
                  .write(
                      GenerateResponse.newBuilder()
                          .setStarted(Started.newBuilder().setSteps(steps))
                          .build());
              for (int i = 0; i < steps; i++) {
                request
                    .response()
                    .write(
                        GenerateResponse.newBuilder()
                            .setStep(Step.newBuilder().setIndex(i))
                            .build());
              }
              after.handle(request);
            });
  }

  /** Reads every event as the CLI does; returns how the call ended. */
  private static CallFailed readToTheEnd(ClientOptions options) {
    return assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          try (GeneratorClient client = GeneratorClient.create(options);
              BlockingGeneration g =
                  new BlockingGeneration(client, GenerateRequest.getDefaultInstance(), null)) {
            CallFailed failed =
                assertThrows(
                    CallFailed.class,
                    () -> {
                      while (g.take() != null) {
                        Thread.sleep(1); // a reader slower than the stream: it pauses and resumes
                      }
                    });
            return failed;
          }
        },
        "a blocking read never ended");
  }

  @Test
  void aStreamResetByTheServerEndsTheCall() throws Exception {
    CallFailed failed =
        readToTheEnd(serve(startedThen(40, request -> request.response().cancel())));
    assertEquals(GrpcStatus.CANCELLED, failed.status(), failed.getMessage());
    assertTrue(failed.getMessage().contains("reset"), failed.getMessage());
  }

  @Test
  void aLostConnectionEndsTheCallAsUnavailable() throws Exception {
    CallFailed failed =
        readToTheEnd(serve(startedThen(3, request -> request.connection().close())));
    assertEquals(GrpcStatus.UNAVAILABLE, failed.status(), failed.getMessage());
  }

  @Test
  void aStreamThatEndsWithoutCompletedIsAnInternalError() throws Exception {
    CallFailed failed = readToTheEnd(serve(startedThen(40, request -> request.response().end())));
    assertEquals(GrpcStatus.INTERNAL, failed.status(), failed.getMessage());
  }

  @Test
  void aStatusThatEndsAStreamKeepsItsMessage() throws Exception {
    CallFailed failed =
        readToTheEnd(
            serve(
                startedThen(
                    3,
                    request ->
                        request
                            .response()
                            .status(GrpcStatus.DEADLINE_EXCEEDED)
                            .statusMessage("deadline passed after 3 of 18 steps; 1+1 = 2, σ 80")
                            .end())));
    assertEquals(GrpcStatus.DEADLINE_EXCEEDED, failed.status());
    assertEquals(
        "DEADLINE_EXCEEDED: deadline passed after 3 of 18 steps; 1+1 = 2, σ 80",
        failed.getMessage());
    assertEquals("deadline passed after 3 of 18 steps; 1+1 = 2, σ 80", failed.statusMessage());
  }

  @Test
  void anUnreadableMessageEndsTheCall() throws Exception {
    ClientOptions options =
        serve(
            startedThen(
                0,
                request ->
                    request
                        .response()
                        .writeMessage(
                            io.vertx.grpc.common.GrpcMessage.message(
                                "identity",
                                io.vertx.core.buffer.Buffer.buffer(
                                    new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff})))));
    CallFailed failed = readToTheEnd(options);
    assertInstanceOf(CallFailed.class, failed);
    assertEquals(GrpcStatus.INTERNAL, failed.status(), failed.getMessage());
  }
}
