package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * RK45 resume is exact: from the checkpoint of any accepted step, or one taken mid-trial (it is the
 * state of the last accepted step), a resumed solve ends on the same bytes, accepted steps, NFE and
 * rejected count as one that never stopped.
 */
class Rk45CheckpointTest {

  private static final Denoiser FIELD =
      new ExactField(new double[][] {{0.5, -0.25, 1}, {-1, 1, 0}, {0, 0.75, -0.5}}, 8);
  private static final double[] X0 = {31.25, -17.5, 60.125};
  // Tight enough that the error control rejects trial steps on this field.
  private static final Rk45Settings SETTINGS = new Rk45Settings(0.002, 80, 1e-6, 1e-6, 10_000);

  @Test
  void resumingAtEveryAcceptedStepEndsOnTheSameBytesNfeAndRejectedCount() {
    Rk45Trajectory whole = solve(new Rk45Trajectory(SETTINGS, X0));
    assertTrue(whole.rejectedSteps() > 0, "the run must reject steps to test their replay");
    for (int at = 0; at < whole.completedSteps(); at++) {
      Rk45Trajectory first = new Rk45Trajectory(SETTINGS, X0);
      while (first.completedSteps() < at) {
        first.supply(FIELD.denoise(first.query().clone(), first.querySigma()));
      }
      Rk45Trajectory.Checkpoint cp = first.checkpoint();
      assertEquals(at, cp.accepted());
      Rk45Trajectory resumed = solve(Rk45Trajectory.resume(SETTINGS, cp));
      assertSame(whole, resumed, "resumed at accepted step " + at);
    }
  }

  @Test
  void aCheckpointTakenMidTrialIsTheLastAcceptedStepAndResumesExactly() {
    Rk45Trajectory whole = solve(new Rk45Trajectory(SETTINGS, X0));
    Rk45Trajectory first = new Rk45Trajectory(SETTINGS, X0);
    int taken = 0;
    while (!first.done()) {
      Rk45Trajectory.Checkpoint cp = first.checkpoint(); // between any two evaluations
      assertSame(whole, solve(Rk45Trajectory.resume(SETTINGS, cp)), "after nfe " + first.nfe());
      first.supply(FIELD.denoise(first.query().clone(), first.querySigma()));
      taken++;
    }
    assertEquals(whole.nfe(), taken);
  }

  @Test
  void theFirstStageTravelsWithTheCheckpointExceptBeforeTheFirstStep() {
    Rk45Trajectory t = new Rk45Trajectory(SETTINGS, X0);
    assertNull(t.checkpoint().fsal());
    while (t.completedSteps() < 1) {
      t.supply(FIELD.denoise(t.query().clone(), t.querySigma()));
    }
    Rk45Trajectory.Checkpoint cp = t.checkpoint();
    double[] d = FIELD.denoise(cp.x().clone(), cp.sigma());
    for (int i = 0; i < d.length; i++) {
      assertEquals(cp.x()[i] - d[i], cp.fsal()[i], 1e-12, "f(x) = x - D(x, sigma)");
    }
  }

  @Test
  void aMirrorRestoredFromTheFinalCheckpointIsDone() {
    Rk45Trajectory whole = solve(new Rk45Trajectory(SETTINGS, X0));
    Rk45Trajectory mirror = new Rk45Trajectory(SETTINGS, X0);
    mirror.restore(whole.checkpoint(), whole.lastDenoised());
    assertTrue(mirror.done());
    assertEquals(0, mirror.sigma());
    assertSame(whole, mirror, "mirror");
    assertArrayEquals(whole.lastDenoised(), mirror.lastDenoised());
  }

  private static void assertSame(Rk45Trajectory whole, Rk45Trajectory other, String what) {
    assertArrayEquals(whole.state(), other.state(), what);
    assertEquals(whole.completedSteps(), other.completedSteps(), what);
    assertEquals(whole.nfe(), other.nfe(), what);
    assertEquals(whole.rejectedSteps(), other.rejectedSteps(), what);
  }

  private static Rk45Trajectory solve(Rk45Trajectory t) {
    while (!t.done()) {
      t.supply(FIELD.denoise(t.query().clone(), t.querySigma()));
    }
    return t;
  }
}
