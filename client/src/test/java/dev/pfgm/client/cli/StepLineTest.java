package dev.pfgm.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StepLineTest {

  private static String at(int columns) {
    // The consumer leaves the last column free, so the cursor never wraps.
    return StepLine.render(
        201,
        1000,
        Duration.ofSeconds(3),
        Duration.ofSeconds(12),
        "σ=24.22",
        "129 NFE/s",
        columns - 1);
  }

  private static int barCells(String line) {
    return line.indexOf('|', line.indexOf('|') + 1) - line.indexOf('|') - 1;
  }

  @Test
  void at60ColumnsTheBarStepsEtaAndSigmaStayReadable() {
    String line = at(60);
    assertTrue(line.length() <= 59, line);
    assertTrue(line.startsWith("step  20% |"), line);
    assertTrue(line.endsWith("| 201/1000 ETA 0:00:12 σ=24.22"), line);
    assertTrue(barCells(line) >= StepLine.MIN_BAR, line);
  }

  @Test
  void wideTerminalsShowElapsedTimeAndRateToo() {
    String line = at(120);
    assertEquals(119, line.length(), line);
    assertTrue(line.endsWith("| 201/1000 (0:00:03 / 0:00:12) σ=24.22  129 NFE/s"), line);
  }

  @Test
  void theBarIsFilledInProportionWithEighthsOfACell() {
    // "step  34% " + 16 cells in two bars + " 11/32" + " ETA ?": the elapsed time gives way first.
    String line = StepLine.render(11, 32, Duration.ZERO, null, "", "", 10 + 2 + 16 + 6 + 6);
    // 11/32 of 16 cells = 5.5: five full cells, a half cell, then spaces.
    assertEquals("step  34% |█████▌          | 11/32 ETA ?", line);
  }

  @Test
  void veryNarrowTerminalsGetTheCountAloneAndNeverAWrappedLine() {
    for (int columns = 1; columns <= 40; columns++) {
      assertTrue(at(columns).length() <= Math.max(0, columns - 1), columns + ": " + at(columns));
    }
  }

  @Test
  void anAdaptiveRunWithoutATotalShowsItsStepCountWithoutBarOrEta() {
    String wide = StepLine.render(12, -1, Duration.ofSeconds(3), null, "σ=0.5", "90 NFE/s", 79);
    assertEquals("step 12 (0:00:03) σ=0.5  90 NFE/s", wide);
    String narrow = StepLine.render(12, -1, Duration.ofSeconds(3), null, "σ=0.5", "90 NFE/s", 20);
    assertEquals("step 12 (0:00:03)", narrow);
  }
}
