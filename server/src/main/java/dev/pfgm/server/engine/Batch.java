package dev.pfgm.server.engine;

import dev.pfgm.server.sampler.Trajectory;
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
  private final float[] x;      // [capacity][C*H*W], NCHW
  private final float[] sigma;  // [capacity]
  private final float[] labels; // [capacity][numClasses], or null
  private final double[] denoised; // [C*H*W], one row widened to float64
  private final List<Job> jobs = new ArrayList<>();
  private final List<Trajectory> rows = new ArrayList<>();

  Batch(FieldNetwork network, int capacity) {
    this.network = network;
    this.capacity = capacity;
    this.dataDim = network.dataDim();
    this.numClasses = network.numClasses();
    this.x = new float[capacity * dataDim];
    this.sigma = new float[capacity];
    this.labels = numClasses > 0 ? new float[capacity * numClasses] : null;
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

  void add(Job job, Trajectory t) {
    int r = rows.size();
    double[] q = t.query();
    int base = r * dataDim;
    // The network sees float32 x and sigma; the state stays float64.
    for (int k = 0; k < dataDim; k++) {
      x[base + k] = (float) q[k];
    }
    sigma[r] = (float) t.querySigma();
    if (labels != null) {
      float[] oneHot = job.classOneHot();
      for (int k = 0; k < numClasses; k++) {
        labels[r * numClasses + k] = oneHot == null ? 0f : oneHot[k];
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
    float[] out;
    try {
      out = network.denoise(x, sigma, labels, rows.size());
    } catch (RuntimeException e) {
      return isolate(e);
    }
    scatter(out, 0, rows.size(), failed);
    return failed;
  }

  private void scatter(float[] out, int from, int to, Set<Job> failed) {
    double[] d = denoised; // reused: Trajectory.supply copies what it keeps
    for (int r = from; r < to; r++) {
      Job job = jobs.get(r);
      if (failed.contains(job)) {
        continue;
      }
      int base = (r - from) * dataDim;
      for (int k = 0; k < dataDim; k++) {
        float v = out[base + k];
        if (!Float.isFinite(v)) {
          fail(job, new NetworkFailure("field network returned a non-finite value (" + v
              + ") at sigma " + sigma[r]), failed);
          break;
        }
        d[k] = v;
      }
      if (!failed.contains(job)) {
        rows.get(r).supply(d);
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
        float[] out = network.denoise(slice(x, from, to, dataDim), slice(sigma, from, to, 1),
            labels == null ? null : slice(labels, from, to, numClasses), to - from);
        scatter(out, from, to, failed);
      } catch (RuntimeException e) {
        fail(job, asFailure(e), failed);
      }
      from = to;
    }
    return failed;
  }

  private static float[] slice(float[] a, int from, int to, int width) {
    float[] s = new float[(to - from) * width];
    System.arraycopy(a, from * width, s, 0, s.length);
    return s;
  }

  private static NetworkFailure asFailure(RuntimeException e) {
    return e instanceof NetworkFailure nf ? nf : new NetworkFailure("field network failed: " + e, e);
  }

  private static void fail(Job job, NetworkFailure error, Set<Job> failed) {
    if (failed.add(job)) {
      job.listener().failed(error);
    }
  }
}
