package dev.pfgm.server.transport;

import dev.pfgm.proto.v1.StepContent;
import dev.pfgm.server.runtime.ModelCard;
import dev.pfgm.server.sampler.Prior;
import dev.pfgm.server.sampler.SampleSeeds;
import dev.pfgm.server.sampler.Schedule;
import dev.pfgm.server.sampler.SolverKind;
import dev.pfgm.server.sampler.Trajectory;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated request with every default resolved.
 *
 * @param seeds one seed per sample (base seed + i)
 * @param classLabel class index, or -1 for unconditional models
 * @param lossless every Step event is delivered (DELIVERY_ALL): the job pauses for a slow reader
 */
public record GenerationPlan(
    ModelCard model,
    long[] seeds,
    Schedule schedule,
    SolverKind solver,
    int classLabel,
    int previewEvery,
    StepContent content,
    boolean lossless) {

  /** A fresh trajectory per sample, each starting from its own seed's prior draw. */
  public List<Trajectory> trajectories() {
    Prior prior = Prior.of(model.augmentDim(), model.dataDim(), schedule.sigma(0));
    List<Trajectory> out = new ArrayList<>(seeds.length);
    for (long seed : seeds) {
      out.add(new Trajectory(solver, schedule, prior.sample(SampleSeeds.rng(seed))));
    }
    return out;
  }

  public int numSamples() {
    return seeds.length;
  }

  /** [numClasses] one-hot row of the class label, or null for unconditional models. */
  public float[] classOneHot() {
    if (classLabel < 0) {
      return null;
    }
    float[] oneHot = new float[model.classLabels().size()];
    oneHot[classLabel] = 1f;
    return oneHot;
  }
}
