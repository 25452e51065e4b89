package dev.pfgm.server.sampler;

import org.apache.commons.rng.RestorableUniformRandomProvider;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;

/**
 * One sample's ODE solve dx/dsigma = (x - D(x, sigma))/sigma as a step-wise state machine (EDM Alg.
 * 2 for Heun). float64 state.
 *
 * <p>The caller repeatedly evaluates D at {@link #query()} and {@link #querySigma()} and hands the
 * result to {@link #supply}. Heun asks for D(x, sigma_i) (predictor) and then, except on the last
 * step, D(x_E, sigma_{i+1}) (corrector); Euler asks for the predictor only. This lets an engine
 * batch rows from many trajectories, at different steps, into one network call. Not thread-safe.
 *
 * <p>Noise injection (an experiment on robustness to field-estimation error, off by default): with
 * alpha > 0, before each step i the state becomes x + alpha * sigma_i * eps, eps ~ N(0, I) drawn
 * from the sample's own RNG (N standard normals, coordinate 0 first, commons-rng {@code
 * ZigguratSampler.NormalizedGaussian}), after the prior's draws, step 0 first. The injection
 * happens when step i is first queried (or supplied), so {@link #state()} after step i is the ODE
 * state before step i+1's noise. A checkpoint holds the stream's saved state, so a noisy solve
 * resumes exactly too (when the stream is restorable, as {@link SampleSeeds#rng} streams are).
 */
public final class Trajectory implements SampleSolve {

  private final SolverKind solver;
  private final Schedule schedule;
  private final double[] x; // [N], state at sigma_i
  private final double[] xNext; // [N], Euler prediction x_E at sigma_{i+1}
  private final double[] dCur; // [N], dx/dsigma at (x, sigma_i)
  private double[] denoised; // [N], last supplied D, null before the first
  private int step; // i, completed steps
  private boolean correcting; // awaiting D(x_E, sigma_{i+1})
  private int nfe;
  private final double noiseInjection; // alpha, 0 = off
  private final ZigguratSampler.NormalizedGaussian noise; // null when alpha == 0
  private final UniformRandomProvider rng; // the stream noise draws from; null when alpha == 0
  private int injectedSteps; // steps whose noise has been added: step or step + 1

  /** A trajectory from {@code x0} (copied) over {@code schedule}. */
  public Trajectory(SolverKind solver, Schedule schedule, double[] x0) {
    this(solver, schedule, x0, 0, null);
  }

  /**
   * A trajectory with noise injection alpha (see the class comment).
   *
   * @param noiseInjection alpha in [0, 1]; 0 is off and draws nothing
   * @param rng the sample's own stream, after the prior's draws; may be null when alpha is 0
   */
  public Trajectory(
      SolverKind solver,
      Schedule schedule,
      double[] x0,
      double noiseInjection,
      UniformRandomProvider rng) {
    if (solver == null || schedule == null || x0 == null) {
      throw new IllegalArgumentException("solver, schedule and x0 must be non-null");
    }
    if (solver == SolverKind.RK45) {
      throw new IllegalArgumentException("RK45 is adaptive: use Rk45Trajectory");
    }
    if (x0.length == 0) {
      throw new IllegalArgumentException("x0 must have length >= 1, was 0");
    }
    if (!(noiseInjection >= 0 && noiseInjection <= 1)) {
      throw new IllegalArgumentException("noiseInjection must be in [0, 1], was " + noiseInjection);
    }
    if (noiseInjection > 0 && rng == null) {
      throw new IllegalArgumentException("noise injection needs the sample's rng");
    }
    this.noiseInjection = noiseInjection;
    this.rng = noiseInjection > 0 ? rng : null;
    this.noise = noiseInjection > 0 ? ZigguratSampler.NormalizedGaussian.of(rng) : null;
    this.solver = solver;
    this.schedule = schedule;
    this.x = x0.clone();
    this.xNext = new double[x0.length];
    this.dCur = new double[x0.length];
  }

  /**
   * A trajectory that goes on from a checkpoint of one on the same solver and schedule: from there
   * it asks for the same evaluations and computes the same bytes.
   */
  public static Trajectory resume(SolverKind solver, Schedule schedule, Checkpoint from) {
    return resume(solver, schedule, from, 0);
  }

  /**
   * Like {@link #resume(SolverKind, Schedule, Checkpoint)}, with noise injection alpha: the
   * checkpoint's random stream state goes on with the same draws.
   *
   * @throws IllegalArgumentException if alpha > 0 and the checkpoint holds no stream state, or the
   *     other way round
   */
  public static Trajectory resume(
      SolverKind solver, Schedule schedule, Checkpoint from, double noiseInjection) {
    if ((noiseInjection > 0) != (from.rng() != null)) {
      throw new IllegalArgumentException(
          "a checkpoint holds the random stream's state exactly when noise injection is on"
              + " (alpha "
              + noiseInjection
              + ")");
    }
    Trajectory t =
        new Trajectory(
            solver,
            schedule,
            from.x(),
            noiseInjection,
            from.rng() == null ? null : SampleSeeds.restore(from.rng()));
    t.moveTo(from);
    return t;
  }

  /**
   * The state at the last completed step boundary. A Heun step half done (predictor evaluated,
   * corrector pending) is not part of it: its evaluation is not counted and is done again.
   */
  public Checkpoint checkpoint() {
    if (!checkpointable()) {
      throw new IllegalStateException(
          "a trajectory with noise injection needs a restorable random stream to be checkpointed");
    }
    if (noise == null) {
      return new Checkpoint(step, correcting ? nfe - 1 : nfe, x.clone());
    }
    // x and the stream are taken as they are: when step i's noise is in x already, its draws are
    // made and the resumed solve must not make them again (noiseAdded).
    return new Checkpoint(
        step,
        correcting ? nfe - 1 : nfe,
        x.clone(),
        SampleSeeds.save((RestorableUniformRandomProvider) rng),
        injectedSteps > step);
  }

  /**
   * Whether {@link #checkpoint()} holds all of this trajectory's future: with noise injection only
   * when the sample's stream can save its state.
   */
  public boolean checkpointable() {
    return noise == null || rng instanceof RestorableUniformRandomProvider;
  }

  /**
   * Sets this trajectory to a checkpoint (copied) of one on the same solver and schedule, with the
   * denoised estimate that came with it (copied; null keeps none): a mirror of a trajectory solved
   * elsewhere.
   */
  public void restore(Checkpoint from, double[] lastDenoised) {
    moveTo(from);
    if (lastDenoised != null) {
      denoised = Lengths.require("denoised", lastDenoised, x.length).clone();
    }
  }

  private void moveTo(Checkpoint from) {
    Lengths.require("checkpoint x", from.x(), x.length);
    if (from.step() > schedule.steps()) {
      throw new IllegalArgumentException(
          "checkpoint step must be in 0.." + schedule.steps() + ", was " + from.step());
    }
    if ((from.rng() != null) != (noise != null)) {
      throw new IllegalArgumentException(
          "checkpoint "
              + (from.rng() == null ? "lacks" : "has")
              + " a random stream state; this trajectory's noise injection is "
              + noiseInjection);
    }
    System.arraycopy(from.x(), 0, x, 0, x.length);
    step = from.step();
    nfe = from.nfe();
    correcting = false;
    if (noise != null) {
      if (!checkpointable()) {
        throw new IllegalStateException("this trajectory's random stream cannot be restored");
      }
      SampleSeeds.restore((RestorableUniformRandomProvider) rng, from.rng());
      injectedSteps = from.noiseAdded() ? step + 1 : step;
    }
  }

  /** Whether all n steps are complete; {@link #state()} is then the sample. */
  @Override
  public boolean done() {
    return step == schedule.steps();
  }

  /** The x at which the next D(x, sigma) is needed; a live view the caller must not modify. */
  @Override
  public double[] query() {
    requireNotDone();
    inject();
    return correcting ? xNext : x;
  }

  /** The sigma for the next evaluation: sigma_i (predictor) or sigma_{i+1} (corrector). */
  @Override
  public double querySigma() {
    requireNotDone();
    return schedule.sigma(correcting ? step + 1 : step);
  }

  /**
   * Supplies D(query(), querySigma()) (copied); returns true when this completed a solver step.
   *
   * @throws IllegalStateException if the trajectory is done
   * @throws IllegalArgumentException if {@code denoised} does not have the state's length
   */
  @Override
  public boolean supply(double[] denoised) {
    requireNotDone();
    inject();
    Lengths.require("denoised", denoised, x.length);
    if (this.denoised == null) {
      this.denoised = new double[x.length];
    }
    System.arraycopy(denoised, 0, this.denoised, 0, x.length);
    nfe++;
    double sigmaCur = schedule.sigma(step);
    double sigmaNext = schedule.sigma(step + 1);
    double h = sigmaNext - sigmaCur;
    if (correcting) {
      /* 2nd-order correction. */
      for (int k = 0; k < x.length; k++) {
        double dPrime = (xNext[k] - denoised[k]) / sigmaNext;
        x[k] += h * (0.5 * dCur[k] + 0.5 * dPrime);
      }
      correcting = false;
      step++;
      return true;
    }
    /* Euler step. */
    for (int k = 0; k < x.length; k++) {
      dCur[k] = (x[k] - denoised[k]) / sigmaCur;
      xNext[k] = x[k] + h * dCur[k];
    }
    if (solver == SolverKind.HEUN && step < schedule.steps() - 1) {
      correcting = true;
      return false;
    }
    System.arraycopy(xNext, 0, x, 0, x.length);
    step++;
    return true;
  }

  /** Adds step i's noise once, before its first evaluation (nothing when alpha is 0). */
  private void inject() {
    if (noise == null || injectedSteps > step) {
      return;
    }
    double scale = noiseInjection * schedule.sigma(step);
    for (int k = 0; k < x.length; k++) {
      x[k] += scale * noise.sample();
    }
    injectedSteps = step + 1;
  }

  /** Steps completed so far, 0..n. */
  @Override
  public int completedSteps() {
    return step;
  }

  /** The current x, at sigma_{completedSteps()}; a live view the caller must not modify. */
  @Override
  public double[] state() {
    return x;
  }

  /** The last supplied denoised estimate; a live view, null before the first supply. */
  @Override
  public double sigma() {
    return schedule.sigma(step);
  }

  @Override
  public int plannedSteps() {
    return schedule.steps();
  }

  @Override
  public double[] lastDenoised() {
    return denoised;
  }

  /** Network evaluations so far. */
  @Override
  public int nfe() {
    return nfe;
  }

  /** The noise-injection alpha, 0 when off. */
  public double noiseInjection() {
    return noiseInjection;
  }

  /** The noise schedule this trajectory follows. */
  public Schedule schedule() {
    return schedule;
  }

  /** The solver this trajectory runs. */
  @Override
  public SolverKind solver() {
    return solver;
  }

  private void requireNotDone() {
    if (done()) {
      throw new IllegalStateException(
          "trajectory is done after " + schedule.steps() + " steps, nfe " + nfe);
    }
  }
}
