package dev.pfgm.server.sampler;

import org.apache.commons.rng.RestorableUniformRandomProvider;
import org.apache.commons.rng.core.RandomProviderDefaultState;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Per-sample seeding: every sample has its own seed and RNG stream, so its trajectory does not
 * depend on which other samples share its batch, request or network call (DESIGN §1).
 */
public final class SampleSeeds {

  private SampleSeeds() {}

  /** The seed of sample {@code sampleIndex} of a request: baseSeed + sampleIndex, mod 2^64. */
  public static long seedOf(long baseSeed, int sampleIndex) {
    if (sampleIndex < 0) {
      throw new IllegalArgumentException("sampleIndex must be >= 0, was " + sampleIndex);
    }
    return baseSeed + sampleIndex;
  }

  /**
   * The RNG stream of one sample: {@link RandomSource#XO_RO_SHI_RO_128_PP} whose 128-bit state is
   * the first two outputs of {@link RandomSource#SPLIT_MIX_64} seeded with {@code sampleSeed}.
   * Expanding the seed ourselves keeps streams independent of commons-rng's seed conversion, and
   * SplitMix64 decorrelates the consecutive seeds that {@link #seedOf} produces.
   */
  public static RestorableUniformRandomProvider rng(long sampleSeed) {
    RestorableUniformRandomProvider splitMix = RandomSource.SPLIT_MIX_64.create(sampleSeed);
    long[] state = {splitMix.nextLong(), splitMix.nextLong()}; // [2], never both 0
    return RandomSource.XO_RO_SHI_RO_128_PP.create(state);
  }

  /**
   * The stream a sample's latent class is drawn from: like {@link #rng} but from SplitMix64's third
   * and fourth outputs, so it is apart from the sample's trajectory stream, whose draws (x0, noise
   * injection) stay those of the same seed on a model without classes.
   */
  public static RestorableUniformRandomProvider classRng(long sampleSeed) {
    RestorableUniformRandomProvider splitMix = RandomSource.SPLIT_MIX_64.create(sampleSeed);
    splitMix.nextLong(); // the trajectory stream's state
    splitMix.nextLong();
    long[] state = {splitMix.nextLong(), splitMix.nextLong()};
    return RandomSource.XO_RO_SHI_RO_128_PP.create(state);
  }

  /**
   * A sample's latent class: the first double u of {@link #classRng} (uniform on [0, 1), 53 bits)
   * by the inverse of the prior's distribution function, the smallest c with u < p_0 + … + p_c (the
   * last class with p > 0 when rounding leaves the sum short of u).
   *
   * @param prior class probabilities, >= 0, summing to 1
   */
  public static int latentClass(double[] prior, long sampleSeed) {
    double u = classRng(sampleSeed).nextDouble();
    double cumulative = 0;
    int last = -1;
    for (int c = 0; c < prior.length; c++) {
      if (prior[c] > 0) {
        last = c;
        cumulative += prior[c];
        if (u < cumulative) {
          return c;
        }
      }
    }
    if (last < 0) {
      throw new IllegalArgumentException("the prior has no class with probability > 0");
    }
    return last;
  }

  /** The bytes of a stream's state ({@code saveState()}): where it is, exactly. */
  public static byte[] save(RestorableUniformRandomProvider rng) {
    return ((RandomProviderDefaultState) rng.saveState()).getState();
  }

  /** A sample stream set to a state {@link #save} returned: it goes on with the same draws. */
  public static RestorableUniformRandomProvider restore(byte[] state) {
    RestorableUniformRandomProvider rng = rng(0);
    restore(rng, state);
    return rng;
  }

  /** Sets a sample stream to a state {@link #save} returned. */
  public static void restore(RestorableUniformRandomProvider rng, byte[] state) {
    rng.restoreState(new RandomProviderDefaultState(state));
  }
}
