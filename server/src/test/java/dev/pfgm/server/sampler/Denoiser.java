package dev.pfgm.server.sampler;

/** A denoiser D(x, sigma) in float64, for references and tests. Must not modify {@code x}. */
@FunctionalInterface
public interface Denoiser {

  /** The denoised estimate of {@code x} at noise level {@code sigma}, same length as x. */
  double[] denoise(double[] x, double sigma);
}
