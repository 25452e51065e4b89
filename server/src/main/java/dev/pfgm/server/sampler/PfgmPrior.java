package dev.pfgm.server.sampler;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.statistics.distribution.GammaDistribution;

/**
 * The finite-D PFGM++ prior (DESIGN §1): R = sigmaMax * sqrt(D * B'), B' ~ BetaPrime(N/2, D/2)
 * sampled as a ratio of two Gamma draws, direction uniform on S^(N-1). Draw order: see {@link
 * Prior#of}.
 */
final class PfgmPrior implements Prior {

  private final double augmentDim;
  private final int dataDim;
  private final double sigmaMax;
  private final GammaDistribution gammaData; // Gamma(N/2, 1)
  private final GammaDistribution gammaAugment; // Gamma(D/2, 1)

  PfgmPrior(double augmentDim, int dataDim, double sigmaMax) {
    this.augmentDim = augmentDim;
    this.dataDim = dataDim;
    this.sigmaMax = sigmaMax;
    this.gammaData = GammaDistribution.of(dataDim / 2.0, 1);
    this.gammaAugment = GammaDistribution.of(augmentDim / 2.0, 1);
  }

  @Override
  public double[] sample(UniformRandomProvider rng) {
    /* Radius: B' = G(N/2)/G(D/2) avoids the cancellation of B/(1-B) when B is near 1. */
    double gData = gammaData.createSampler(rng).sample();
    double gAugment = gammaAugment.createSampler(rng).sample();
    double radius = sigmaMax * Math.sqrt(augmentDim) * Math.sqrt(gData / gAugment);

    /* Direction: a normalised Gaussian is uniform on the sphere. */
    ZigguratSampler.NormalizedGaussian gaussian = ZigguratSampler.NormalizedGaussian.of(rng);
    double[] x0 = new double[dataDim]; // [N]
    double norm2;
    do {
      norm2 = 0;
      for (int k = 0; k < dataDim; k++) {
        x0[k] = gaussian.sample();
        norm2 += x0[k] * x0[k];
      }
    } while (norm2 == 0);
    double scale = radius / Math.sqrt(norm2);
    for (int k = 0; k < dataDim; k++) {
      x0[k] *= scale;
    }
    return x0;
  }

  @Override
  public String toString() {
    return "PfgmPrior[augmentDim="
        + augmentDim
        + ", dataDim="
        + dataDim
        + ", sigmaMax="
        + sigmaMax
        + "]";
  }
}
