package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
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
}
