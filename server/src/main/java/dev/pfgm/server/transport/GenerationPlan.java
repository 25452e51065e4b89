package dev.pfgm.server.transport;

import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.runtime.ModelCard;
import dev.pfgm.server.sampler.Prior;
import dev.pfgm.server.sampler.Rk45Settings;
import dev.pfgm.server.sampler.Rk45Trajectory;
import dev.pfgm.server.sampler.SampleSeeds;
import dev.pfgm.server.sampler.SampleSolve;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import dev.pfgm.server.sampler.Trajectory;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * A validated request with every default resolved.
 *
 * @param seeds one seed per sample (base seed + i)
 * @param schedule the sigma schedule of HEUN and EULER; null for RK45
 * @param rk45 the tolerances, noise range and trial-step limit of RK45; null otherwise
 * @param noiseInjection alpha of the noise-injection experiment, 0 = off (never with RK45)
 * @param classLabel the requested class, or -1 for a model whose requests name none
 * @param lossless every Step event is delivered (DELIVERY_ALL): the job pauses for a slow reader
 */
public record GenerationPlan(
    ModelCard model,
    long[] seeds,
    Schedule schedule,
    Rk45Settings rk45,
    SolverKind solver,
    double noiseInjection,
    int classLabel,
    int previewEvery,
    StepContent content,
    boolean lossless) {

  /**
   * A fresh solve per sample, each starting from its own seed's prior draw; noise injection draws
   * from the same stream after the prior.
   */
  public List<SampleSolve> trajectories() {
    double sigmaMax = rk45 != null ? rk45.sigmaMax() : schedule.sigma(0);
    Prior prior = Prior.of(model.augmentDim(), model.dataDim(), sigmaMax);
    List<SampleSolve> out = new ArrayList<>(seeds.length);
    for (long seed : seeds) {
      UniformRandomProvider rng = SampleSeeds.rng(seed);
      double[] x0 = prior.sample(rng);
      out.add(
          rk45 != null
              ? new Rk45Trajectory(rk45, x0)
              : new Trajectory(solver, schedule, x0, noiseInjection, rng));
    }
    return out;
  }

  /** The schedule's step count; 0 for RK45, whose count is known only at the end. */
  public int steps() {
    return schedule == null ? 0 : schedule.steps();
  }

  public int numSamples() {
    return seeds.length;
  }

  /**
   * [samples × K] one-hot rows of each sample's class for the network's class_labels input: the
   * requested class for a conditional model, a class drawn per sample for a latent-class model
   * ({@link SampleSeeds#latentClass}); null for a network without classes.
   */
  public float[] classOneHot() {
    int k = model.networkClasses();
    if (k == 0) {
      return null;
    }
    float[] rows = new float[seeds.length * k];
    for (int i = 0; i < seeds.length; i++) {
      int c =
          model.latentClass()
              ? SampleSeeds.latentClass(model.latentClassPrior(), seeds[i])
              : classLabel;
      rows[i * k + c] = 1f;
    }
    return rows;
  }
}
