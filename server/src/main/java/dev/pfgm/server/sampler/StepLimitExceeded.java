package dev.pfgm.server.sampler;

/**
 * An adaptive solve used up its trial-step limit before reaching sigma_min: the tolerance is too
 * tight for the field (or the limit too low). The message names sigma reached and the counts.
 */
public final class StepLimitExceeded extends IllegalStateException {
  public StepLimitExceeded(String message) {
    super(message);
  }
}
