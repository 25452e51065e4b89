package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every refusal in the sampler's value types names its rule and the value, by exact message: a bad
 * argument that is also refused later, by another check, would pass a test that only expects "some
 * IllegalArgumentException" with the first check deleted. The boundary values are accepted.
 */
class RefusalsNameTheRuleTest {

  private static final double[] X = {1, 2, 3};

  @Test
  void rk45SettingsRefuseAnEmptyOrInfiniteRangeAndBadTolerances() {
    String range = "need 0 < sigmaMin < sigmaMax < infinity, was ";
    assertRefused(range + "0.0 and 80.0", () -> new Rk45Settings(0, 80, 1e-3, 1e-3, 10));
    assertRefused(range + "1.0 and 1.0", () -> new Rk45Settings(1, 1, 1e-3, 1e-3, 10));
    assertRefused(
        range + "1.0 and Infinity",
        () -> new Rk45Settings(1, Double.POSITIVE_INFINITY, 1e-3, 1e-3, 10));
    String tol = "rtol and atol must be finite and > 0, were ";
    assertRefused(tol + "0.0 and 0.001", () -> new Rk45Settings(1, 2, 0, 1e-3, 10));
    assertRefused(tol + "0.001 and 0.0", () -> new Rk45Settings(1, 2, 1e-3, 0, 10));
    assertRefused(
        tol + "Infinity and 0.001",
        () -> new Rk45Settings(1, 2, Double.POSITIVE_INFINITY, 1e-3, 10));
    assertRefused(
        tol + "0.001 and Infinity",
        () -> new Rk45Settings(1, 2, 1e-3, Double.POSITIVE_INFINITY, 10));
    assertRefused("maxTrials must be >= 1, was 0", () -> new Rk45Settings(1, 2, 1e-3, 1e-3, 0));
    assertEquals(1, new Rk45Settings(1, 2, 1e-3, 1e-3, 1).maxTrials());
  }

  @Test
  void aStepCheckpointRefusesNegativeCountsNoStateAndNoiseWithoutItsStream() {
    assertRefused("step and nfe must be >= 0, were -1 and 0", () -> new Checkpoint(-1, 0, X));
    assertRefused("step and nfe must be >= 0, were 0 and -1", () -> new Checkpoint(0, -1, X));
    assertRefused("x must have length >= 1", () -> new Checkpoint(0, 0, null));
    assertRefused("x must have length >= 1", () -> new Checkpoint(0, 0, new double[0]));
    assertRefused(
        "noiseAdded needs the random stream's state", () -> new Checkpoint(0, 0, X, null, true));
    assertEquals(true, new Checkpoint(0, 0, X, new byte[] {1}, true).noiseAdded());
    assertEquals(false, new Checkpoint(0, 0, X, new byte[] {1}, false).noiseAdded());
  }

  @Test
  void anRk45CheckpointRefusesNegativeOrNanValuesAndAMisfitFirstStageAndCopiesItsArrays() {
    assertRefused("x must have length >= 1", () -> rk45(null, 1, 0, 0, 0, null));
    assertRefused("x must have length >= 1", () -> rk45(new double[0], 1, 0, 0, 0, null));
    String counters = "sigma and the counters must be >= 0, were ";
    assertRefused(counters + "-1.0, 0, 0 and 0", () -> rk45(X, -1, 0, 0, 0, null));
    assertRefused(counters + "NaN, 0, 0 and 0", () -> rk45(X, Double.NaN, 0, 0, 0, null));
    assertRefused(counters + "1.0, -1, 0 and 0", () -> rk45(X, 1, -1, 0, 0, null));
    assertRefused(counters + "1.0, 0, -1 and 0", () -> rk45(X, 1, 0, -1, 0, null));
    assertRefused(counters + "1.0, 0, 0 and -1", () -> rk45(X, 1, 0, 0, -1, null));
    assertRefused("fsal must have length 3, was 2", () -> rk45(X, 1, 0, 0, 0, new double[2]));
    double[] x = X.clone();
    double[] fsal = {4, 5, 6};
    Rk45Trajectory.Checkpoint cp = rk45(x, 0, 0, 0, 0, fsal);
    x[0] = -9;
    fsal[0] = -9;
    assertArrayEquals(X, cp.x());
    assertArrayEquals(new double[] {4, 5, 6}, cp.fsal());
    assertEquals(null, rk45(X, 1, 0, 0, 0, null).fsal());
  }

  @Test
  void anRk45SolveRefusesMissingPartsAndMisfitStates() {
    Rk45Settings settings = new Rk45Settings(0.002, 80, 1e-3, 1e-3, 100);
    Rk45Trajectory.Checkpoint cp = new Rk45Trajectory(settings, X).checkpoint();
    String required = "settings and a checkpoint are required";
    assertRefused(required, () -> Rk45Trajectory.resume(null, cp));
    assertRefused(required, () -> Rk45Trajectory.resume(settings, null));
    Rk45Trajectory t = new Rk45Trajectory(settings, X);
    assertRefused(
        "checkpoint x must have length 3, was 2",
        () -> t.restore(new Rk45Trajectory(settings, new double[] {1, 2}).checkpoint(), null));
    assertRefused("denoised must have length 3, was 2", () -> t.restore(cp, new double[2]));
    t.restore(cp, new double[] {7, 8, 9});
    t.restore(cp, null); // keeps the estimate it has
    assertArrayEquals(new double[] {7, 8, 9}, t.lastDenoised());
    assertEquals(settings, t.settings());
    assertEquals(SolverKind.RK45, t.solver());
  }

  @Test
  void aScheduleSentAsValuesMustBePositiveFiniteStrictlyDecreasingThenZero() {
    String shape = "sigmas must be n+1 >= 2 values ending in 0, were ";
    assertRefused(shape + "[0.0]", () -> Schedule.of(new double[] {0}));
    assertRefused(shape + "[1.0, 0.5]", () -> Schedule.of(new double[] {1, 0.5}));
    String order =
        "sigmas must be finite, positive and strictly decreasing before the final 0; sigma_";
    assertRefused(order + "0 is 0.0", () -> Schedule.of(new double[] {0, 0}));
    assertRefused(order + "1 is 0.0", () -> Schedule.of(new double[] {1, 0, 0}));
    assertRefused(order + "0 is -1.0", () -> Schedule.of(new double[] {-1, 0}));
    assertRefused(order + "0 is NaN", () -> Schedule.of(new double[] {Double.NaN, 0}));
    assertRefused(
        order + "0 is Infinity", () -> Schedule.of(new double[] {Double.POSITIVE_INFINITY, 1, 0}));
    assertRefused(order + "1 is 2.0", () -> Schedule.of(new double[] {2, 2, 0}));
    assertRefused(order + "2 is 3.0", () -> Schedule.of(new double[] {4, 2, 3, 0}));
    double[] sigmas = {5, 0};
    Schedule one = Schedule.of(sigmas);
    sigmas[0] = 7; // copied
    assertArrayEquals(new double[] {5, 0}, one.sigmas());
    assertEquals(1, one.steps());
  }

  @Test
  void onlyRk45IsAdaptiveAndItsNfeIsNotKnownInAdvance() {
    assertEquals(true, SolverKind.RK45.adaptive());
    assertEquals(false, SolverKind.HEUN.adaptive());
    assertEquals(false, SolverKind.EULER.adaptive());
    var e = assertThrows(IllegalStateException.class, () -> SolverKind.RK45.nfe(3));
    assertEquals("RK45's NFE depends on the field and the tolerances", e.getMessage());
    assertEquals(35, SolverKind.HEUN.nfe(18));
    assertEquals(18, SolverKind.EULER.nfe(18));
  }

  @Test
  void noiseInjectionAcceptsZeroToOneInclusive() {
    Schedule schedule = Schedule.edm(4, 0.002, 80, 7);
    String range = "noiseInjection must be in [0, 1], was ";
    assertRefused(
        range + "-0.5",
        () -> new Trajectory(SolverKind.HEUN, schedule, X, -0.5, SampleSeeds.rng(1)));
    assertRefused(
        range + "NaN",
        () -> new Trajectory(SolverKind.HEUN, schedule, X, Double.NaN, SampleSeeds.rng(1)));
    assertRefused(
        "noise injection needs the sample's rng",
        () -> new Trajectory(SolverKind.HEUN, schedule, X, 0.5, null));
    assertEquals(
        1, new Trajectory(SolverKind.HEUN, schedule, X, 1, SampleSeeds.rng(1)).noiseInjection());
    assertEquals(0, new Trajectory(SolverKind.HEUN, schedule, X, 0, null).noiseInjection());
  }

  private static Rk45Trajectory.Checkpoint rk45(
      double[] x, double sigma, int accepted, int rejected, int nfe, double[] fsal) {
    return new Rk45Trajectory.Checkpoint(x, sigma, -0.5, accepted, rejected, nfe, fsal);
  }

  static void assertRefused(String message, Executable call) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
  }
}
