package dev.pfgm.server.sampler;

import org.apache.commons.rng.UniformRandomProvider;

/**
 * Prior over the starting state x0 (length dataDim), sampled per sample from its own RNG.
 *
 * <p>The draw order from the RNG is part of the reproducibility contract; see {@link #of}.
 */
public interface Prior {

  /** One x0 of length dataDim, drawn from {@code rng} (the sample's own stream). */
  double[] sample(UniformRandomProvider rng);

  /**
   * The prior for a model with {@code augmentDim} extra dimensions (DESIGN §1).
   *
   * <p>Finite D (PFGM++): draws, in this order, g1 ~ Gamma(N/2, 1) then g2 ~ Gamma(D/2, 1) (each a
   * commons-statistics {@code GammaDistribution.of(shape, 1).createSampler(rng)} sample), then N
   * standard normals z (commons-rng {@code ZigguratSampler.NormalizedGaussian}, coordinate 0
   * first). B' = g1/g2 ~ BetaPrime(N/2, D/2), R = sigmaMax * sqrt(D) * sqrt(B'), and x0 = R *
   * z/|z|. No clipping. If |z| is 0 the N normals are drawn again.
   *
   * <p>D = infinity (EDM diffusion): x0 = sigmaMax * z, z the N standard normals drawn as above.
   *
   * @param augmentDim D: {@link Double#POSITIVE_INFINITY} for diffusion, otherwise finite and > 0
   * @param dataDim N, the length of x0, at least 1
   * @param sigmaMax the schedule's first sigma, finite and > 0
   */
  static Prior of(double augmentDim, int dataDim, double sigmaMax) {
    if (!(augmentDim > 0)) {
      throw new IllegalArgumentException(
          "augmentDim must be > 0 (or +Infinity for diffusion), was " + augmentDim);
    }
    if (dataDim < 1) {
      throw new IllegalArgumentException("dataDim must be >= 1, was " + dataDim);
    }
    if (!(sigmaMax > 0) || !Double.isFinite(sigmaMax)) {
      throw new IllegalArgumentException("sigmaMax must be finite and > 0, was " + sigmaMax);
    }
    return augmentDim == Double.POSITIVE_INFINITY
        ? new DiffusionPrior(dataDim, sigmaMax)
        : new PfgmPrior(augmentDim, dataDim, sigmaMax);
  }
}
