package dev.pfgm.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pfgm.client.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection options before or after the subcommand, from the environment, and the schedule
 * options.
 */
@ExtendWith(TestServer.class)
class GlobalOptionsTest {

  @TempDir Path dir;

  private static String nowhere() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return "localhost:" + s.getLocalPort();
    }
  }

  @Test
  void targetMayStandBeforeOrAfterTheSubcommand(TestServer.Running server) {
    CliRun before = CliRun.of("--target", server.target(), "models", "--json");
    assertEquals(0, before.exitCode(), before.err());
    CliRun after = CliRun.of("models", "--json", "--target", server.target());
    assertEquals(0, after.exitCode(), after.err());
    assertEquals(before.out(), after.out());
    CliRun generate =
        CliRun.of(
            "--target",
            server.target(),
            "generate",
            "--samples",
            "1",
            "--steps",
            "2",
            "--json",
            "--output",
            dir.resolve("g.png").toString());
    assertEquals(0, generate.exitCode(), generate.err());
  }

  @Test
  void targetComesFromPfgmTargetAndTheOptionWins(TestServer.Running server) throws IOException {
    CliRun fromEnv = CliRun.withEnv(Map.of("PFGM_TARGET", server.target()), "models");
    assertEquals(0, fromEnv.exitCode(), fromEnv.err());
    CliRun optionWins =
        CliRun.withEnv(Map.of("PFGM_TARGET", nowhere()), "models", "--target", server.target());
    assertEquals(0, optionWins.exitCode(), optionWins.err());
  }

  /**
   * EDM's schedule (Karras et al. 2022, eq. 5) with n = 3 points: its middle point is closed-form.
   */
  @Test
  void sigmaMinSigmaMaxAndRhoReachTheRequest(TestServer.Running server) {
    CliRun run =
        CliRun.of(
            "generate",
            "--target",
            server.target(),
            "--model",
            TestServer.MODEL,
            "--samples",
            "1",
            "--steps",
            "3",
            "--sigma-min",
            "0.01",
            "--sigma-max",
            "40",
            "--rho",
            "3",
            "--json",
            "--output",
            dir.resolve("s.png").toString());
    assertEquals(0, run.exitCode(), run.err());
    List<JsonObject> events = run.lines().stream().map(JsonObject::new).toList();
    assertEquals(40.0, events.get(0).getDouble("sigmaMax"), 1e-12);
    double middle = Math.pow((Math.cbrt(40) + Math.cbrt(0.01)) / 2, 3);
    assertEquals(
        middle, events.get(1).getDouble("sigma"), 1e-9 * middle, "step 0 ends at the middle point");
    assertEquals(0.01, events.get(2).getDouble("sigma"), 1e-12, "step 1 ends at sigma_min");
  }

  @Test
  void theSummaryNamesTheClassLabel(TestServer.Running server) {
    CliRun run =
        CliRun.of(
            "generate",
            "--target",
            server.target(),
            "--model",
            "mnist-unet-cond-edm",
            "--class-label",
            "3",
            "--samples",
            "1",
            "--steps",
            "2",
            "--output",
            dir.resolve("c.png").toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains(" of mnist-unet-cond-edm, class 3, 2 steps,"), run.out());
  }
}
