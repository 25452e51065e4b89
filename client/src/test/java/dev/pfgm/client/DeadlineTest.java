package dev.pfgm.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.pfgm.proto.v1.GenerateRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A deadline ends the call with DEADLINE_EXCEEDED, however short, and wherever the call is when it
 * passes.
 */
@ExtendWith(TestServer.class)
class DeadlineTest {

  private static final int RUNS = 10;

  private static GenerateRequest request() {
    return GenerateRequest.newBuilder()
        .setModel(TestServer.MODEL)
        .setNumSamples(8)
        .setSteps(200)
        .setPreviewEvery(1)
        .build();
  }

  /** Each run on a new client, as the CLI makes them: the deadline starts before the connection. */
  @ParameterizedTest
  @ValueSource(ints = {1, 5, 20})
  void shortDeadlinesEndWithDeadlineExceeded(int ms, TestServer.Running server) {
    for (int run = 0; run < RUNS; run++) {
      CallFailed failed =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () -> {
                try (GeneratorClient client = GeneratorClient.create(server.clientOptions());
                    BlockingGeneration g =
                        new BlockingGeneration(client, request(), Duration.ofMillis(ms))) {
                  return assertThrows(
                      CallFailed.class,
                      () -> {
                        while (g.take() != null) {
                          // read to the end
                        }
                      });
                }
              });
      assertEquals(
          GrpcStatus.DEADLINE_EXCEEDED, failed.status(), "run " + run + ": " + failed.getMessage());
    }
  }

  @Test
  void aServerThatAcceptsAndNeverAnswersEndsTheCallAtTheDeadline() throws Exception {
    List<Socket> held = new CopyOnWriteArrayList<>();
    ServerSocket silent = new ServerSocket(0);
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  held.add(silent.accept()); // kept open, never read or written
                }
              } catch (IOException e) {
                // the test closed the server socket
              }
            });
    acceptor.start();
    try (GeneratorClient client =
        GeneratorClient.create(ClientOptions.defaults().withPort(silent.getLocalPort()))) {
      Generation g = client.generate(request(), Duration.ofMillis(20), e -> {});
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> g.result().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS),
              "the call must end within 10 s of its 20 ms deadline");
      assertEquals(
          GrpcStatus.DEADLINE_EXCEEDED, assertInstanceOf(CallFailed.class, e.getCause()).status());
    } finally {
      silent.close();
      acceptor.join();
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void aCancelledThatEndsTheCallAfterTheDeadlineIsTheDeadline() {
    CallFailed reset = new CallFailed(GrpcStatus.CANCELLED, "the server reset the stream");
    CallFailed after = Failures.afterDeadline(reset, true, false);
    assertEquals(GrpcStatus.DEADLINE_EXCEEDED, after.status());
    assertSame(reset, after.getCause());
    assertSame(
        reset,
        Failures.afterDeadline(reset, false, false),
        "before the deadline a reset stays CANCELLED");
    assertSame(
        reset,
        Failures.afterDeadline(reset, true, true),
        "the caller's own cancel stays CANCELLED");
    CallFailed unavailable = new CallFailed(GrpcStatus.UNAVAILABLE, "connection lost");
    assertSame(unavailable, Failures.afterDeadline(unavailable, true, false));
  }
}
