package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScheduleTest {

  @Test
  void defaultScheduleMatchesDesignCheckValues() {
    Schedule schedule = Schedule.edm(18, 0.002, 80, 7);
    assertEquals(18, schedule.steps());
    assertEquals(19, schedule.sigmas().length);
    assertRelative(80, schedule.sigma(0));
    assertRelative(57.58598472124816, schedule.sigma(1));
    assertRelative(40.78557379650796, schedule.sigma(2));
    assertRelative(0.007528019962784078, schedule.sigma(16));
    assertRelative(0.002000000000000003, schedule.sigma(17));
    assertEquals(0.0, schedule.sigma(18)); // σ_n = 0 is set, not computed: exact by construction
  }

  @Test
  void sigmasDecreaseStrictlyToZero() {
    double[] sigmas = Schedule.edm(40, 0.002, 80, 7).sigmas();
    for (int i = 1; i < sigmas.length; i++) {
      assertTrue(sigmas[i] < sigmas[i - 1], "sigma " + i);
    }
  }

  @Test
  void singleStepScheduleIsSigmaMaxThenZero() {
    // n = 1 copies sigmaMax and sets 0: exact by construction.
    assertArrayEquals(new double[] {80, 0}, Schedule.edm(1, 0.002, 80, 7).sigmas());
  }

  @Test
  void sigmasReturnsADefensiveCopy() {
    Schedule schedule = Schedule.edm(4, 0.002, 80, 7);
    schedule.sigmas()[0] = -1;
    assertEquals(80, schedule.sigma(0));
  }

  @Test
  void invalidArgumentsAreRejectedWithTheRuleAndTheValue() {
    var steps = assertThrows(IllegalArgumentException.class, () -> Schedule.edm(0, 0.002, 80, 7));
    assertEquals("steps must be >= 1, was 0", steps.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Schedule.edm(18, 0, 80, 7));
    assertThrows(IllegalArgumentException.class, () -> Schedule.edm(18, 0.002, 0.001, 7));
    assertThrows(IllegalArgumentException.class, () -> Schedule.edm(18, 0.002, Double.NaN, 7));
    assertThrows(IllegalArgumentException.class, () -> Schedule.edm(18, 0.002, 80, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> Schedule.edm(18, 0.002, 80, 7).sigma(19));
  }

  private static void assertRelative(double expected, double actual) {
    assertEquals(expected, actual, 1e-15 * Math.abs(expected));
  }

  @Test
  void aRhoThatFloat64CannotRepresentIsRefusedNotRoundedToAZeroSigma() {
    // rho = 0.2: sigmaMax^5 = 3.3e9 swallows sigmaMin^5 = 3.2e-14, so sigma_17 would come out 0.
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Schedule.edm(18, 0.002, 80, 0.2));
    assertTrue(e.getMessage().contains("rho=0.2"), e.getMessage());
    double[] ok = Schedule.edm(18, 0.002, 80, 0.5).sigmas();
    assertEquals(0.002, ok[17], 0.002 * 1e-6);
  }
}
