package dev.pfgm.server.engine;

import dev.pfgm.server.sampler.SampleSolve;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The rows of one network call: packs float32 inputs, runs the network, scatters the results back
 * to the trajectories. A runtime failure or a non-finite output fails only the jobs it touches.
 */
final class Batch {

  private final FieldNetwork network;
  private final int capacity;
  private final int dataDim;
  private final int numClasses;
  private final NetworkIo io; // direct buffers for [capacity] rows, reused by every call
  private final double[] denoised; // [C*H*W], one row widened to float64
  private final List<Job> jobs = new ArrayList<>();
  private final List<SampleSolve> rows = new ArrayList<>();

  Batch(FieldNetwork network, int capacity) {
    this.network = network;
    this.capacity = capacity;
    this.dataDim = network.dataDim();
    this.numClasses = network.numClasses();
    this.io = NetworkIo.allocate(capacity, dataDim, numClasses);
    this.denoised = new double[dataDim];
  }

  void clear() {
    jobs.clear();
    rows.clear();
  }

  boolean full() {
    return rows.size() >= capacity;
  }

  int size() {
    return rows.size();
  }

  /** Adds sample {@code i} of {@code job} as the next row. */
  void add(Job job, int i) {
    SampleSolve t = job.samples().get(i);
    int r = rows.size();
    double[] q = t.query();
    int base = r * dataDim;
    // The network sees float32 x and sigma (written once, where ONNX Runtime reads them); the
    // state stays float64.
    FloatBuffer x = io.x();
    for (int k = 0; k < dataDim; k++) {
      x.put(base + k, (float) q[k]);
    }
    io.sigma().put(r, (float) t.querySigma());
    if (io.labels() != null) {
      float[] oneHot = job.classOneHot();
      for (int k = 0; k < numClasses; k++) {
        io.labels().put(r * numClasses + k, oneHot == null ? 0f : oneHot[i * numClasses + k]);
      }
    }
    jobs.add(job);
    rows.add(t);
  }

  /**
   * Runs the network on all rows and supplies the results.
   *
   * @return the jobs that failed (their listeners have been told)
   */
  Set<Job> run() {
    Set<Job> failed = new LinkedHashSet<>();
    try {
      network.denoise(io, rows.size());
    } catch (RuntimeException e) {
      return isolate(e);
    }
    scatter(0, rows.size(), failed);
    return failed;
  }

  /** Widens rows from..to-1 of the output into their trajectories (the one pass out). */
  private void scatter(int from, int to, Set<Job> failed) {
    double[] d = denoised; // reused: SampleSolve.supply copies what it keeps
    FloatBuffer out = io.out();
    for (int r = from; r < to; r++) {
      Job job = jobs.get(r);
      if (failed.contains(job)) {
        continue;
      }
      int base = r * dataDim;
      for (int k = 0; k < dataDim; k++) {
        float v = out.get(base + k);
        if (!Float.isFinite(v)) {
          fail(
              job,
              new NetworkFailure(
                  "field network returned a non-finite value ("
                      + v
                      + ") at sigma "
                      + io.sigma().get(r)),
              failed);
          break;
        }
        d[k] = v;
      }
      if (!failed.contains(job)) {
        SampleSolve row = rows.get(r);
        row.supply(d);
        if (row.failure() != null) {
          fail(job, new SolveLimitReached(row.failure()), failed);
        }
      }
    }
  }

  /** After a failed call with several jobs, retries each job's rows alone to find the culprits. */
  private Set<Job> isolate(RuntimeException cause) {
    Set<Job> failed = new LinkedHashSet<>();
    int from = 0;
    while (from < rows.size()) {
      Job job = jobs.get(from);
      int to = from;
      while (to < rows.size() && jobs.get(to) == job) {
        to++;
      }
      if (from == 0 && to == rows.size()) {
        fail(job, asFailure(cause), failed);
        break;
      }
      try {
        network.denoise(io.rows(from, to), to - from);
        scatter(from, to, failed);
      } catch (RuntimeException e) {
        fail(job, asFailure(e), failed);
      }
      from = to;
    }
    return failed;
  }

  private static NetworkFailure asFailure(RuntimeException e) {
    return e instanceof NetworkFailure nf
        ? nf
        : new NetworkFailure("field network failed: " + e, e);
  }

  private static void fail(Job job, EngineException error, Set<Job> failed) {
    if (failed.add(job)) {
      job.listener().failed(error);
    }
  }
}
