package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.apache.commons.statistics.distribution.ChiSquaredDistribution;
import org.junit.jupiter.api.Test;

class SampleSeedsTest {

  @Test
  void seedOfIsBaseSeedPlusIndexWrapping() {
    assertEquals(42 + 7, SampleSeeds.seedOf(42, 7));
    assertEquals(Long.MIN_VALUE, SampleSeeds.seedOf(Long.MAX_VALUE, 1));
    assertEquals(-3, SampleSeeds.seedOf(-5, 2));
    assertEquals(
        "sampleIndex must be >= 0, was -1",
        assertThrows(IllegalArgumentException.class, () -> SampleSeeds.seedOf(1, -1)).getMessage());
  }

  @Test
  void sameSeedGivesIdenticalX0() {
    for (double augmentDim : new double[] {8, Double.POSITIVE_INFINITY}) {
      Prior prior = Prior.of(augmentDim, 16, 80);
      assertArrayEquals(prior.sample(SampleSeeds.rng(1234)), prior.sample(SampleSeeds.rng(1234)));
    }
  }

  @Test
  void differentSeedsGiveDifferentX0() {
    Prior prior = Prior.of(8, 16, 80);
    double[] first = prior.sample(SampleSeeds.rng(SampleSeeds.seedOf(1234, 0)));
    double[] second = prior.sample(SampleSeeds.rng(SampleSeeds.seedOf(1234, 1)));
    assertFalse(Arrays.equals(first, second));
    assertNotEquals(SampleSeeds.rng(0).nextLong(), SampleSeeds.rng(1).nextLong());
  }

  @Test
  void aSampleSeedAlwaysGivesTheSameStream() {
    long[] first = SampleSeeds.rng(99).longs(8).toArray();
    assertArrayEquals(first, SampleSeeds.rng(99).longs(8).toArray());
  }

  @Test
  void latentClassesFollowThePriorAndNeverTakeAZeroClass() {
    double[] prior = {0.3, 0.2, 0, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05};
    int n = 40_000;
    long[] counts = new long[prior.length];
    for (int i = 0; i < n; i++) {
      counts[SampleSeeds.latentClass(prior, SampleSeeds.seedOf(7, i))]++;
    }
    assertEquals(0, counts[2], "a class of probability 0 is never drawn");
    double chi2 = 0;
    for (int c = 0; c < prior.length; c++) {
      if (prior[c] > 0) {
        double expected = n * prior[c];
        chi2 += (counts[c] - expected) * (counts[c] - expected) / expected;
      }
    }
    double p = ChiSquaredDistribution.of(8).survivalProbability(chi2);
    assertTrue(p > 1e-4, "counts " + Arrays.toString(counts) + " chi2 " + chi2 + " p " + p);
  }

  @Test
  void aLatentClassIsTheInverseDistributionFunctionOfTheClassStreamsFirstDouble() {
    double[] prior = {0.25, 0.5, 0.25};
    for (long seed = 0; seed < 200; seed++) {
      double u = SampleSeeds.classRng(seed).nextDouble();
      int want = u < 0.25 ? 0 : u < 0.75 ? 1 : 2;
      assertEquals(want, SampleSeeds.latentClass(prior, seed), "seed " + seed + " u " + u);
      assertEquals(want, SampleSeeds.latentClass(prior, seed), "the same seed, the same class");
    }
  }

  @Test
  void theClassStreamIsApartFromTheTrajectoryStream() {
    for (long seed = 0; seed < 50; seed++) {
      assertFalse(
          Arrays.equals(
              SampleSeeds.rng(seed).longs(4).toArray(),
              SampleSeeds.classRng(seed).longs(4).toArray()),
          "seed " + seed);
    }
    assertArrayEquals(
        SampleSeeds.classRng(11).longs(4).toArray(), SampleSeeds.classRng(11).longs(4).toArray());
  }
}
