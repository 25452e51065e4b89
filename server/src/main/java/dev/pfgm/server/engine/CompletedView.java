package dev.pfgm.server.engine;

import dev.pfgm.server.sampler.SampleSolve;
import java.util.List;

/**
 * A finished job: its solves (read during the callback only), the NFE of its busiest sample, the
 * trial steps its adaptive samples rejected (summed) and its timings in nanoseconds.
 */
public record CompletedView(
    List<SampleSolve> samples, int nfe, int rejectedSteps, long queueNanos, long computeNanos) {}
