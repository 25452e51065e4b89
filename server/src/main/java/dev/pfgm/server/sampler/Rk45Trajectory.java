package dev.pfgm.server.sampler;

import static dev.pfgm.server.sampler.DormandPrince.A;
import static dev.pfgm.server.sampler.DormandPrince.C;
import static dev.pfgm.server.sampler.DormandPrince.E;

/**
 * One sample's adaptive Dormand-Prince 5(4) solve of the probability-flow ODE, as a step machine
 * like {@link Trajectory}. float64; not thread-safe.
 *
 * <p>Variable: t = ln sigma, so dx/dt = sigma dx/dsigma = x - D(x, sigma). sigma_max..sigma_min
 * spans four to five decades; in sigma the natural step shrinks with sigma from tens to
 * thousandths, while in ln sigma the field is of the size of x at every noise level (for the linear
 * Gaussian denoiser |dx/dt| <= |x|), so one tolerance and one first-step heuristic fit the whole
 * range and the 1/sigma singularity is gone. Original PFGM integrates in t = ln z for the same
 * reason. Integration runs from ln sigma_max down to exactly sigma_min (the step that would
 * overshoot is shortened and its last stages are evaluated at sigma_min itself).
 *
 * <p>Error control, the standard algorithm: err = h * sum e_j k_j, norm = RMS over the N elements
 * of err_i / (atol + rtol * max(|x_i|, |xnew_i|)); accepted when norm <= 1; next h = h * clamp(0.9
 * * norm^(-1/5), 0.2, 10), and no growth right after a rejection. First h: the
 * Hairer-Norsett-Wanner heuristic (one extra evaluation), capped to the whole interval.
 *
 * <p>End: like the schedule solvers' last step (Euler from sigma_min to sigma = 0, which gives x =
 * D(x, sigma_min)), the final sample is D(x(sigma_min), sigma_min). FSAL has already evaluated D
 * there, so the accepted step that reaches sigma_min also ends at sigma = 0 at no extra NFE: it is
 * the last step, {@link #sigma()} is then 0.
 *
 * <p>Cap: at most {@code maxTrials} trial steps (accepted plus rejected); a solve that needs more
 * fails: {@link #failure()} says why and the solve stops. {@link #checkpoint()} is the whole state
 * as it was when the last step was accepted (x, sigma, next h, the counters then, and the FSAL
 * stage f(x)), whenever it is taken, even mid-trial; {@link #resume} continues from it with the
 * same evaluations, so with a deterministic field it ends on the same bytes, NFE and rejected count
 * as a solve that never stopped (the trials after that step, rejected ones included, are done
 * again).
 */
public final class Rk45Trajectory implements SampleSolve {

  static final double SAFETY = 0.9;
  static final double MIN_FACTOR = 0.2;
  static final double MAX_FACTOR = 10;

  private final Rk45Settings settings;
  private final double tEnd; // ln sigmaMin
  private final double[] x; // [N], accepted state at sigma
  private final double[] query; // [N], where the pending evaluation is
  private final double[][] k; // [7][N], stage derivatives dx/dt
  private final double[] xNew; // [N], 5th-order solution of the trial step
  private double[] denoised; // [N], last supplied D
  private double sigma; // of x; 0 when done
  private double t; // ln sigma
  private double h; // signed step in t (negative); 0 before the first-step heuristic
  private double hInit; // the heuristic's probe step
  private int stage; // -2: need f(x0); -1: need the heuristic's probe; 1..6: need stage s
  private boolean lastStep; // the trial step ends at sigmaMin
  private boolean rejectedLast;
  private int accepted;
  private int rejected;
  private int nfe;
  private double acceptedH; // h, rejected and nfe as they were at the last accepted step
  private int acceptedRejected;
  private int acceptedNfe;
  private boolean fsalKnown; // k[0] holds f(x) for the accepted x
  private boolean done;
  private String failure;

  /** A solve from {@code x0} (copied) at settings.sigmaMax(). */
  public Rk45Trajectory(Rk45Settings settings, double[] x0) {
    this(settings, new Checkpoint(x0, settings.sigmaMax(), 0, 0, 0, 0, null));
  }

  /** Continues a solve from a {@link #checkpoint()} taken under the same settings. */
  public static Rk45Trajectory resume(Rk45Settings settings, Checkpoint from) {
    return new Rk45Trajectory(settings, from);
  }

  private Rk45Trajectory(Rk45Settings settings, Checkpoint from) {
    if (settings == null || from == null) {
      throw new IllegalArgumentException("settings and a checkpoint are required");
    }
    int n = from.x().length;
    this.settings = settings;
    this.tEnd = Math.log(settings.sigmaMin());
    this.x = new double[n];
    this.query = new double[n];
    this.k = new double[DormandPrince.STAGES][n];
    this.xNew = new double[n];
    moveTo(from);
  }

  /**
   * The state at the last accepted step: resuming from it gives the same sample as going on.
   *
   * @param x [N] the accepted state (copied)
   * @param sigma its noise level; 0 once the solve is done
   * @param h the next trial step in ln sigma (negative), 0 when the first step is still to choose
   * @param accepted accepted steps so far; rejected and nfe are the counts when the last was
   * @param fsal [N] f(x) = x - D(x, sigma), the next step's first stage (copied), or null when no
   *     step was accepted yet (then it is evaluated)
   */
  public record Checkpoint(
      double[] x, double sigma, double h, int accepted, int rejected, int nfe, double[] fsal) {
    public Checkpoint {
      if (x == null || x.length == 0) {
        throw new IllegalArgumentException("x must have length >= 1");
      }
      if (!(sigma >= 0) || accepted < 0 || rejected < 0 || nfe < 0) {
        throw new IllegalArgumentException(
            "sigma and the counters must be >= 0, were "
                + sigma
                + ", "
                + accepted
                + ", "
                + rejected
                + " and "
                + nfe);
      }
      if (fsal != null) {
        Lengths.require("fsal", fsal, x.length);
      }
      x = x.clone();
      fsal = fsal == null ? null : fsal.clone();
    }
  }

  /**
   * This solve's state at its last accepted step (a copy), even when taken mid-trial: the counters
   * and h are those of that moment, so a resume redoes the trials since then exactly.
   */
  public Checkpoint checkpoint() {
    return new Checkpoint(
        x, sigma, acceptedH, accepted, acceptedRejected, acceptedNfe, fsalKnown ? k[0] : null);
  }

  /** The settings this solve runs under. */
  public Rk45Settings settings() {
    return settings;
  }

  /**
   * Sets this solve to a checkpoint of one under the same settings, with the denoised estimate that
   * came with it (copied; null keeps none): a mirror of a solve run elsewhere.
   */
  public void restore(Checkpoint from, double[] lastDenoised) {
    Lengths.require("checkpoint x", from.x(), x.length);
    moveTo(from);
    if (lastDenoised != null) {
      denoised = Lengths.require("denoised", lastDenoised, x.length).clone();
    }
  }

  private void moveTo(Checkpoint from) {
    System.arraycopy(from.x(), 0, x, 0, x.length);
    sigma = from.sigma();
    done = sigma == 0;
    t = done ? Double.NEGATIVE_INFINITY : Math.log(sigma);
    h = from.h();
    accepted = from.accepted();
    rejected = from.rejected();
    nfe = from.nfe();
    acceptedH = h;
    acceptedRejected = rejected;
    acceptedNfe = nfe;
    rejectedLast = false; // always so right after an accepted step
    failure = null;
    fsalKnown = from.fsal() != null;
    if (done) {
      return;
    }
    if (fsalKnown) {
      // As right after the accepted step: k1 known, the next trial under way (no evaluation spent).
      System.arraycopy(from.fsal(), 0, k[0], 0, x.length);
      startTrial();
    } else {
      stage = -2;
      System.arraycopy(x, 0, query, 0, x.length);
    }
  }

  @Override
  public boolean done() {
    return done;
  }

  @Override
  public double[] query() {
    requireNotDone();
    return query;
  }

  @Override
  public double querySigma() {
    requireNotDone();
    if (stage == -2) {
      return sigma;
    }
    if (stage == -1) {
      return Math.exp(t + hInit);
    }
    return lastStep && C[stage] == 1 ? settings.sigmaMin() : Math.exp(t + C[stage] * h);
  }

  @Override
  public boolean supply(double[] d) {
    requireNotDone();
    Lengths.require("denoised", d, x.length);
    if (denoised == null) {
      denoised = new double[x.length];
    }
    System.arraycopy(d, 0, denoised, 0, x.length);
    nfe++;
    int s = Math.max(stage, 0); // f(x0) and a resumed FSAL stage are k1
    if (stage == -1) {
      for (int i = 0; i < x.length; i++) {
        k[1][i] = query[i] - d[i]; // f at the probe; stage 2 overwrites it
      }
      h = FirstStep.choose(settings, tEnd - t, x, k[0], k[1], hInit);
      startTrial();
      return false;
    }
    for (int i = 0; i < x.length; i++) {
      k[s][i] = query[i] - d[i];
    }
    if (stage == -2 && h == 0) {
      hInit = FirstStep.probe(settings, tEnd - t, x, k[0]);
      stage = -1;
      for (int i = 0; i < x.length; i++) {
        query[i] = x[i] + hInit * k[0][i];
      }
      return false;
    }
    if (stage == 6) {
      return finishTrial();
    }
    if (stage == -2) {
      startTrial();
      return false;
    }
    stage++;
    stageQuery(stage);
    return false;
  }

  @Override
  public String failure() {
    return failure;
  }

  /** Starts a trial step of size h from x, k1 known (or fails the solve at its trial limit). */
  private void startTrial() {
    if (accepted + rejected >= settings.maxTrials()) {
      failure =
          "RK45 reached its limit of "
              + settings.maxTrials()
              + " trial steps at sigma "
              + sigma
              + " before sigma_min "
              + settings.sigmaMin()
              + " ("
              + accepted
              + " accepted, "
              + rejected
              + " rejected); loosen rtol/atol or raise the trial-step limit";
      return;
    }
    double remaining = tEnd - t; // negative
    lastStep = h <= remaining;
    if (lastStep) {
      h = remaining;
    }
    if (!(Math.abs(h) > 1e-12 * Math.max(1, Math.abs(t)))) {
      failure = "RK45 step size underflow (h = " + h + " in ln sigma) at sigma " + sigma;
      return;
    }
    stage = 1;
    stageQuery(1);
  }

  /** query = x + h * sum_j a_sj k_j; for s = 6 that is the 5th-order solution. */
  private void stageQuery(int s) {
    double[] a = A[s];
    for (int i = 0; i < x.length; i++) {
      double sum = 0;
      for (int j = 0; j < s; j++) {
        sum += a[j] * k[j][i];
      }
      query[i] = x[i] + h * sum;
    }
    if (s == 6) {
      System.arraycopy(query, 0, xNew, 0, x.length);
    }
  }

  /** k7 = f(xNew) is known: estimate the error, accept or reject, choose the next h. */
  private boolean finishTrial() {
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      double err = 0;
      for (int j = 0; j < DormandPrince.STAGES; j++) {
        err += E[j] * k[j][i];
      }
      err *= h;
      double scale =
          settings.atol() + settings.rtol() * Math.max(Math.abs(x[i]), Math.abs(xNew[i]));
      sum += (err / scale) * (err / scale);
    }
    double norm = Math.sqrt(sum / x.length);
    if (norm <= 1) {
      double factor =
          norm == 0
              ? MAX_FACTOR
              : Math.min(MAX_FACTOR, SAFETY * Math.pow(norm, -1 / DormandPrince.ORDER));
      if (rejectedLast) {
        factor = Math.min(1, factor);
      }
      rejectedLast = false;
      accepted++;
      acceptedRejected = rejected;
      acceptedNfe = nfe;
      fsalKnown = true;
      System.arraycopy(xNew, 0, x, 0, x.length);
      System.arraycopy(k[6], 0, k[0], 0, x.length); // FSAL
      if (lastStep) {
        // Final denoise: Euler from sigma_min to 0 gives D(x, sigma_min), evaluated by k7.
        System.arraycopy(denoised, 0, x, 0, x.length);
        sigma = 0;
        done = true;
        return true;
      }
      // t is always ln(sigma) of the stored sigma, so a checkpoint's sigma resumes the same t.
      sigma = Math.exp(t + h);
      t = Math.log(sigma);
      h *= factor;
      acceptedH = h;
      startTrial();
      return true;
    }
    rejected++;
    rejectedLast = true;
    h *= Math.max(MIN_FACTOR, SAFETY * Math.pow(norm, -1 / DormandPrince.ORDER));
    startTrial();
    return false;
  }

  @Override
  public int completedSteps() {
    return accepted;
  }

  @Override
  public double[] state() {
    return x;
  }

  @Override
  public double sigma() {
    return sigma;
  }

  @Override
  public double[] lastDenoised() {
    return denoised;
  }

  @Override
  public int nfe() {
    return nfe;
  }

  @Override
  public int rejectedSteps() {
    return rejected;
  }

  @Override
  public int plannedSteps() {
    return 0;
  }

  @Override
  public SolverKind solver() {
    return SolverKind.RK45;
  }

  private void requireNotDone() {
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
    if (done) {
      throw new IllegalStateException(
          "RK45 solve is done after " + accepted + " accepted steps, nfe " + nfe);
    }
  }
}
