package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
    // Messages are checked: several bad arguments would also fail later, with another message.
    assertRefused("steps must be >= 1, was 0", () -> Schedule.edm(0, 0.002, 80, 7));
    assertRefused("sigmaMin must be finite and > 0, was 0.0", () -> Schedule.edm(18, 0, 80, 7));
    assertRefused(
        "sigmaMin must be finite and > 0, was Infinity",
        () -> Schedule.edm(18, Double.POSITIVE_INFINITY, 80, 7));
    assertRefused(
        "sigmaMax must be finite and >= sigmaMin (0.002), was 0.001",
        () -> Schedule.edm(18, 0.002, 0.001, 7));
    assertRefused(
        "sigmaMax must be finite and >= sigmaMin (0.002), was NaN",
        () -> Schedule.edm(18, 0.002, Double.NaN, 7));
    assertRefused(
        "sigmaMax must be finite and >= sigmaMin (0.002), was Infinity",
        () -> Schedule.edm(18, 0.002, Double.POSITIVE_INFINITY, 7));
    assertRefused("rho must be finite and > 0, was 0.0", () -> Schedule.edm(18, 0.002, 80, 0));
    assertRefused(
        "rho must be finite and > 0, was Infinity",
        () -> Schedule.edm(18, 0.002, 80, Double.POSITIVE_INFINITY));
    Schedule schedule = Schedule.edm(18, 0.002, 80, 7);
    var high = assertThrows(IndexOutOfBoundsException.class, () -> schedule.sigma(19));
    assertEquals("i must be in 0..18, was 19", high.getMessage());
    var low = assertThrows(IndexOutOfBoundsException.class, () -> schedule.sigma(-1));
    assertEquals("i must be in 0..18, was -1", low.getMessage());
  }

  @Test
  void sigmaMaxMayEqualSigmaMinForOneStepOnly() {
    assertArrayEquals(new double[] {5, 0}, Schedule.edm(1, 5, 5, 7).sigmas());
    // More steps would repeat sigma: refused as not strictly decreasing.
    var e = assertThrows(IllegalArgumentException.class, () -> Schedule.edm(3, 5, 5, 7));
    assertTrue(e.getMessage().contains("sigma_1 comes out"), e.getMessage());
  }

  @Test
  void schedulesAreValuesOfTheirSigmas() {
    Schedule a = Schedule.edm(18, 0.002, 80, 7);
    assertEquals(a, Schedule.edm(18, 0.002, 80, 7));
    assertEquals(a.hashCode(), Schedule.edm(18, 0.002, 80, 7).hashCode());
    assertNotEquals(a, Schedule.edm(18, 0.002, 80, 6));
    assertNotEquals(a, Schedule.edm(17, 0.002, 80, 7));
    assertNotEquals(a, (Object) a.sigmas());
    assertEquals("Schedule[80.0, 0.0]", Schedule.edm(1, 0.002, 80, 7).toString());
  }

  private static void assertRefused(
      String message, org.junit.jupiter.api.function.Executable call) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
  }

  private static void assertRelative(double expected, double actual) {
    assertEquals(expected, actual, 1e-15 * Math.abs(expected));
  }

  @Test
  void aRhoThatFloat64CannotRepresentIsRefusedNotRoundedToAZeroSigma() {
    // rho = 0.2: sigmaMax^5 = 3.3e9 swallows sigmaMin^5 = 3.2e-14, so sigma_17 would come out 0.
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> Schedule.edm(18, 0.002, 80, 0.2));
    assertTrue(e.getMessage().contains("rho=0.2"), e.getMessage());
    assertTrue(e.getMessage().contains("sigma_17 comes out 0.0"), e.getMessage());
    double[] ok = Schedule.edm(18, 0.002, 80, 0.5).sigmas();
    assertEquals(0.002, ok[17], 0.002 * 1e-6);
  }

  @Test
  void aLastSigmaThatMissesSigmaMinIsRefused() {
    // rho = 0.3: every sigma positive and decreasing, but the last is 2.3 % below sigmaMin.
    var e = assertThrows(IllegalArgumentException.class, () -> Schedule.edm(18, 0.002, 80, 0.3));
    assertTrue(e.getMessage().contains("the last sigma comes out"), e.getMessage());
  }

  @Test
  void sigmasTheNetworkCannotSeeAreRefused() {
    // sigmaMin = 1e-46 is positive in float64 but 0 in float32, the network's input type.
    var zero = assertThrows(IllegalArgumentException.class, () -> Schedule.edm(18, 1e-46, 80, 7));
    assertTrue(zero.getMessage().contains("sigma_17 comes out"), zero.getMessage());
    // sigmaMax^(1/rho)^rho overflows to infinity.
    var inf =
        assertThrows(
            IllegalArgumentException.class, () -> Schedule.edm(2, 1, Double.MAX_VALUE, 11));
    assertTrue(inf.getMessage().contains("sigma_0 comes out Infinity"), inf.getMessage());
  }
}
