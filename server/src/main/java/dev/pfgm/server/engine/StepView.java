package dev.pfgm.server.engine;

import dev.pfgm.server.sampler.SampleSolve;
import java.util.List;

/**
 * A finished solver step of one job: step index i moved every sample from sigmas[i] to sigmas[i +
 * 1] = sigma on a fixed schedule; for an adaptive solver, sigma is the largest noise level among
 * the samples after the job's i-th step (each sample takes its own steps) and nfe the busiest
 * sample's count. The solves are live; read them during the callback only.
 */
public record StepView(int index, double sigma, int nfe, List<SampleSolve> samples) {}
