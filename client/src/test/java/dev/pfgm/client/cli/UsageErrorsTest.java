package dev.pfgm.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input ends with one line that names the option, the rule and the value, and exit status 2,
 * before any call: the target is a port where nothing listens, so a call would end with UNAVAILABLE
 * and status 1 instead.
 */
class UsageErrorsTest {

  private static String nowhere;

  @TempDir Path dir;

  @BeforeAll
  static void freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      nowhere = "localhost:" + s.getLocalPort();
    }
  }

  private CliRun generate(String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "generate";
    all[1] = "--target";
    all[2] = nowhere;
    all[3] = "--no-progress";
    System.arraycopy(args, 0, all, 4, args.length);
    return CliRun.of(all);
  }

  /** One line: "error: MESSAGE (see '... --help')". */
  private static void usageError(CliRun run, String message) {
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(
        run.err().startsWith("error: " + message),
        "expected 'error: " + message + "' in: " + run.err());
    assertEquals(1, run.err().strip().lines().count(), "one line: " + run.err());
    assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
    assertFalse(run.err().contains("Exception"), "no exception name: " + run.err());
  }

  @ParameterizedTest
  @CsvSource({
    "--steps, -1, 0",
    "--preview-every, -2, 0",
    "--class-label, -3, 0",
    "--samples, -1, 1",
    "--samples, 0, 1"
  })
  void negativeCountsAreRefusedBeforeTheyWrapOnTheWire(String option, int value, int min) {
    usageError(
        generate(option, Integer.toString(value), "--output", dir.resolve("x.png").toString()),
        option + " must be >= " + min + ", was " + value);
  }

  @Test
  void outputThatIsAFolderIsRefused() {
    usageError(
        generate("--output", dir.toString() + "/"), "--output must end in .png, .jpg or .jpeg");
    Path folder = dir.resolve("grid.png");
    assertTrue(folder.toFile().mkdir());
    usageError(
        generate("--output", folder.toString()),
        "--output must name a file, was the folder '" + folder + "'");
  }

  @Test
  void outputBelowAFileIsRefused() throws IOException {
    Path file = Files.writeString(dir.resolve("notes.txt"), "x");
    usageError(
        generate("--output", file.resolve("x.png").toString()),
        "--output needs a folder where '" + file + "' is a file");
  }

  @Test
  void unsupportedImageExtensionListsTheSupportedOnes() {
    usageError(
        generate("--output", dir.resolve("x.bmp").toString()),
        "--output must end in .png, .jpg or .jpeg (the image formats written), was '"
            + dir.resolve("x.bmp")
            + "'");
  }

  @Test
  void framesThatIsAFileAndGifThatIsAFolderAreRefused() throws IOException {
    Path file = Files.writeString(dir.resolve("frames"), "x");
    usageError(
        generate("--output", dir.resolve("x.png").toString(), "--frames", file.toString()),
        "--frames must name a folder, was the file '" + file + "'");
    usageError(
        generate("--output", dir.resolve("x.png").toString(), "--gif", dir.toString()),
        "--gif must name a file, was the folder '" + dir + "'");
  }

  @Test
  void aCaCertThatCannotBeReadIsRefused() {
    Path missing = dir.resolve("ca.pem");
    usageError(
        CliRun.of("--ca-cert", missing.toString(), "models", "--target", nowhere),
        "--ca-cert must be a readable PEM file, was '" + missing + "'");
  }

  @Test
  void badTargetNamesWhereItCameFrom() {
    usageError(
        CliRun.of("models", "--target", "localhost:http"),
        "--target: target must be host:port, was 'localhost:http'");
    usageError(
        CliRun.withEnv(java.util.Map.of("PFGM_TARGET", "localhost:0"), "models"),
        "PFGM_TARGET: port must be in 1..65535, was 0");
  }
}
