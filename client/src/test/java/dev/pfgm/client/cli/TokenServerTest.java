package dev.pfgm.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pfgm.client.TestServer;
import dev.pfgm.server.app.ConfigKey;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real server that requires a bearer token. */
class TokenServerTest {

  private static final String TOKEN = "test-token-0123456789";
  private static TestServer.Running server;

  @BeforeAll
  static void start() {
    server = TestServer.start(config -> config.set(ConfigKey.AUTH_TOKENS, TOKEN));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void modelsWithoutATokenShowsTheServersStatusAndHint() {
    CliRun run = CliRun.of("models", "--target", server.target());
    assertEquals(1, run.exitCode());
    assertEquals(
        "error: UNAUTHENTICATED: missing credentials: send metadata 'authorization: Bearer <token>'",
        run.err().strip());
  }

  @Test
  void theTokenComesFromPfgmTokenAndTheOptionWins() {
    CliRun fromEnv =
        CliRun.withEnv(Map.of("PFGM_TOKEN", TOKEN), "models", "--target", server.target());
    assertEquals(0, fromEnv.exitCode(), fromEnv.err());
    CliRun optionWins =
        CliRun.withEnv(
            Map.of("PFGM_TOKEN", TOKEN),
            "--token",
            "another-token-0123456789",
            "models",
            "--target",
            server.target());
    assertEquals(1, optionWins.exitCode());
    assertEquals("error: PERMISSION_DENIED: bearer token not accepted", optionWins.err().strip());
  }
}
