package dev.pfgm.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.pfgm.client.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's client command, many times in a row against a real server: every run exits. Each
 * streams 400 steps to a reader that is not a terminal, so the client pauses and resumes its stream
 * hundreds of times per run (one run in five hung on a lost resume).
 */
@ExtendWith(TestServer.class)
class RepeatedRunsTest {

  private static final int RUNS = 50;

  @TempDir Path dir;

  @Test
  void everyRunOfTheGenerateCommandExits(TestServer.Running server) {
    for (int run = 0; run < RUNS; run++) {
      Path png = dir.resolve("p" + run + ".png");
      int n = run;
      CliRun result =
          assertTimeoutPreemptively(
              Duration.ofSeconds(60),
              () ->
                  CliRun.of(
                      "generate",
                      "--target",
                      server.target(),
                      "--model",
                      TestServer.MODEL,
                      "--samples",
                      "1",
                      "--steps",
                      "400",
                      "--no-preview",
                      "--no-progress",
                      "--output",
                      png.toString()),
              () -> "run " + n + " did not exit");
      assertEquals(0, result.exitCode(), "run " + run + ": " + result.err());
      assertEquals(true, Files.isRegularFile(png), "run " + run + " wrote its PNG");
    }
  }
}
