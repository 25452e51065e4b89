package dev.pfgm.server.sampler;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;

/** The D = infinity prior: x0 = sigmaMax * eps, eps ~ N(0, I) (DESIGN §1). */
final class DiffusionPrior implements Prior {

  private final int dataDim;
  private final double sigmaMax;

  DiffusionPrior(int dataDim, double sigmaMax) {
    this.dataDim = dataDim;
    this.sigmaMax = sigmaMax;
  }

  @Override
  public double[] sample(UniformRandomProvider rng) {
    ZigguratSampler.NormalizedGaussian gaussian = ZigguratSampler.NormalizedGaussian.of(rng);
    double[] x0 = new double[dataDim]; // [N]
    for (int k = 0; k < dataDim; k++) {
      x0[k] = sigmaMax * gaussian.sample();
    }
    return x0;
  }

  @Override
  public String toString() {
    return "DiffusionPrior[dataDim=" + dataDim + ", sigmaMax=" + sigmaMax + "]";
  }
}
