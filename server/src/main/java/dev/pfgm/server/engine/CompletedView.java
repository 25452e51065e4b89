package dev.pfgm.server.engine;

import dev.pfgm.server.sampler.Trajectory;
import java.util.List;

/**
 * A finished job: its trajectories (read during the callback only) and its timings in nanoseconds.
 */
public record CompletedView(
    List<Trajectory> samples, int nfe, long queueNanos, long computeNanos) {}
