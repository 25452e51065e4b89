package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.apache.commons.statistics.distribution.BetaDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The priors of DESIGN §1 against their distributions, with fixed seeds (so never flaky). */
class PriorTest {

  private static final double SIGMA_MAX = 80;
  private static final long BASE_SEED = 20230208;

  /**
   * B' = (R/(sigmaMax sqrt D))^2 ~ BetaPrime(N/2, D/2), so B'/(1+B') ~ Beta(N/2, D/2). One-sample
   * Kolmogorov-Smirnov against that Beta CDF; 1.95/sqrt(n) is the asymptotic critical value for
   * alpha = 0.001 (sqrt(ln(2/alpha)/2) = 1.949).
   */
  @ParameterizedTest(name = "D={0}, N={1}")
  @CsvSource({"8, 4, 20000", "128, 784, 4000", "1, 2, 20000", "1, 784, 20000", "16, 784, 20000"})
  void radiusPassesAKolmogorovSmirnovTestAgainstBetaPrime(double augmentDim, int dataDim, int n) {
    double[] betaPrime = sampleBetaPrime(augmentDim, dataDim, n);
    double[] beta = new double[n];
    for (int s = 0; s < n; s++) {
      beta[s] = betaPrime[s] / (1 + betaPrime[s]);
    }
    Arrays.sort(beta);
    BetaDistribution reference = BetaDistribution.of(dataDim / 2.0, augmentDim / 2);
    double statistic = 0;
    for (int s = 0; s < n; s++) {
      double cdf = reference.cumulativeProbability(beta[s]);
      statistic = Math.max(statistic, Math.max((s + 1.0) / n - cdf, cdf - (double) s / n));
    }
    assertTrue(statistic < 1.95 / Math.sqrt(n), "KS statistic " + statistic + ", n " + n);
  }

  /**
   * E[R^2] = sigmaMax^2 N D/(D-2). Var(B') = a(a+b-1)/((b-2)(b-1)^2) with a = N/2, b = D/2, so the
   * sample mean of R^2 is within 5 standard errors of E[R^2] (fails with probability ~6e-7).
   */
  @ParameterizedTest(name = "D={0}, N={1}")
  @CsvSource({"8, 4, 20000", "128, 784, 4000"})
  void meanSquaredRadiusMatchesTheBetaPrimeMean(double augmentDim, int dataDim, int n) {
    double a = dataDim / 2.0;
    double b = augmentDim / 2;
    double scale = SIGMA_MAX * SIGMA_MAX * augmentDim; // R^2 = scale * B'
    double expected = SIGMA_MAX * SIGMA_MAX * dataDim * augmentDim / (augmentDim - 2);
    double standardError = scale * Math.sqrt(a * (a + b - 1) / ((b - 2) * (b - 1) * (b - 1)) / n);
    double mean = Arrays.stream(sampleBetaPrime(augmentDim, dataDim, n)).average().orElseThrow();
    assertEquals(expected, scale * mean, 5 * standardError);
  }

  /**
   * D = 1 (PFGM) on MNIST's N = 784: nothing clips the heavy tail. B' = G(392)/G(1/2) exceeds 1e8
   * when G(1/2) < 3.92e-6, i.e. chi-squared(1) < 7.84e-6: probability 2.23e-3, so about 45 of
   * 20,000 draws (fewer than 20 has probability below 1e-6); the largest radius is finite.
   */
  @Test
  void pfgmPriorKeepsItsHeavyTailUnclipped() {
    double[] betaPrime = sampleBetaPrime(1, 784, 20000);
    long beyond = Arrays.stream(betaPrime).filter(b -> b > 1e8).count();
    assertTrue(beyond >= 20 && beyond <= 90, "draws with B' > 1e8: " + beyond);
    assertTrue(Arrays.stream(betaPrime).allMatch(Double::isFinite));
  }

  /** Each coordinate of u = x0/|x0| has mean 0 and variance 1/N; 5 standard errors. */
  @Test
  void directionIsUniformWithMeanZero() {
    int dataDim = 4;
    int n = 20000;
    Prior prior = Prior.of(8, dataDim, SIGMA_MAX);
    double[] mean = new double[dataDim]; // [N]
    for (int s = 0; s < n; s++) {
      double[] x0 = prior.sample(SampleSeeds.rng(SampleSeeds.seedOf(BASE_SEED, s)));
      double norm = Math.sqrt(Arrays.stream(x0).map(v -> v * v).sum());
      assertEquals(dataDim, x0.length);
      for (int k = 0; k < dataDim; k++) {
        mean[k] += x0[k] / norm / n;
      }
    }
    for (int k = 0; k < dataDim; k++) {
      assertEquals(0, mean[k], 5 / Math.sqrt((double) n * dataDim), "coordinate " + k);
    }
  }

  /** x0 = sigmaMax * eps: coordinates have mean 0 and variance sigmaMax^2 (SE sqrt(2/m)). */
  @Test
  void diffusionPriorHasPerCoordinateVarianceSigmaMaxSquared() {
    int dataDim = 4;
    int n = 20000;
    Prior prior = Prior.of(Double.POSITIVE_INFINITY, dataDim, SIGMA_MAX);
    double sum = 0;
    double sumSquares = 0;
    for (int s = 0; s < n; s++) {
      for (double v : prior.sample(SampleSeeds.rng(SampleSeeds.seedOf(BASE_SEED, s)))) {
        sum += v;
        sumSquares += v * v;
      }
    }
    int m = n * dataDim;
    double variance = SIGMA_MAX * SIGMA_MAX;
    assertEquals(0, sum / m, 5 * SIGMA_MAX / Math.sqrt(m));
    assertEquals(variance, sumSquares / m, 5 * variance * Math.sqrt(2.0 / m));
  }

  @Test
  void invalidArgumentsAreRejectedWithTheRuleAndTheValue() {
    var e = assertThrows(IllegalArgumentException.class, () -> Prior.of(8, 0, SIGMA_MAX));
    assertEquals("dataDim must be >= 1, was 0", e.getMessage());
    // Messages are checked: a zero D would also fail later, inside the Gamma sampler.
    assertEquals(
        "augmentDim must be > 0 (or +Infinity for diffusion), was 0.0",
        assertThrows(IllegalArgumentException.class, () -> Prior.of(0, 4, SIGMA_MAX)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Prior.of(Double.NaN, 4, SIGMA_MAX));
    assertEquals(
        "sigmaMax must be finite and > 0, was 0.0",
        assertThrows(IllegalArgumentException.class, () -> Prior.of(8, 4, 0)).getMessage());
    assertEquals(
        "sigmaMax must be finite and > 0, was Infinity",
        assertThrows(IllegalArgumentException.class, () -> Prior.of(8, 4, Double.POSITIVE_INFINITY))
            .getMessage());
  }

  @Test
  void oneDimensionalDataIsAllowed() {
    // N = 1: the sphere is {-1, 1}, x0 = +-R.
    double[] x0 = Prior.of(8, 1, SIGMA_MAX).sample(SampleSeeds.rng(3));
    assertEquals(1, x0.length);
    assertEquals(
        1, Prior.of(Double.POSITIVE_INFINITY, 1, SIGMA_MAX).sample(SampleSeeds.rng(3)).length);
  }

  @Test
  void priorsNameTheirParameters() {
    assertEquals(
        "PfgmPrior[augmentDim=8.0, dataDim=4, sigmaMax=80.0]", Prior.of(8, 4, 80).toString());
    assertEquals(
        "DiffusionPrior[dataDim=4, sigmaMax=80.0]",
        Prior.of(Double.POSITIVE_INFINITY, 4, 80).toString());
  }

  private static double[] sampleBetaPrime(double augmentDim, int dataDim, int n) {
    Prior prior = Prior.of(augmentDim, dataDim, SIGMA_MAX);
    double[] betaPrime = new double[n];
    for (int s = 0; s < n; s++) {
      double[] x0 = prior.sample(SampleSeeds.rng(SampleSeeds.seedOf(BASE_SEED, s)));
      double r2 = Arrays.stream(x0).map(v -> v * v).sum();
      betaPrime[s] = r2 / (SIGMA_MAX * SIGMA_MAX * augmentDim);
    }
    return betaPrime;
  }
}
