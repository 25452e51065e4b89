package dev.pfgm.server.engine;

import dev.pfgm.server.sampler.Trajectory;
import java.util.List;

/**
 * A finished solver step of one job: step index i moved every sample from sigmas[i] to sigmas[i +
 * 1] = sigma. The trajectories are live; read them during the callback only.
 */
public record StepView(int index, double sigma, int nfe, List<Trajectory> samples) {}
