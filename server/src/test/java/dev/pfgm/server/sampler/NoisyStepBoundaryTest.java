package dev.pfgm.server.sampler;

import static dev.pfgm.server.sampler.RefusalsNameTheRuleTest.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.commons.rng.UniformRandomProvider;
import org.junit.jupiter.api.Test;

/**
 * A noisy step's noise is drawn once, on its first query or supply, and a checkpoint says whether x
 * holds it: a resume neither skips nor repeats a draw. Checkpoints and noise settings that disagree
 * are refused by exact message.
 */
class NoisyStepBoundaryTest {

  private static final Schedule SCHEDULE = Schedule.edm(6, 0.002, 80, 7);
  private static final Denoiser FIELD =
      new ExactField(new double[][] {{0.5, -0.25, 1}, {-1, 1, 0}, {0, 0.75, -0.5}}, 8);
  private static final double[] X0 = {31.25, -17.5, 60.125};
  private static final double ALPHA = 0.2;

  private static Trajectory noisy(SolverKind solver) {
    return new Trajectory(solver, SCHEDULE, X0, ALPHA, SampleSeeds.rng(7));
  }

  @Test
  void aCheckpointSaysWhetherXHoldsTheStepsNoise() {
    Trajectory t = noisy(SolverKind.HEUN);
    assertEquals(false, t.checkpoint().noiseAdded(), "nothing drawn before the first query");
    double[] before = t.state().clone();
    double[] q = t.query().clone();
    assertEquals(true, t.checkpoint().noiseAdded());
    // x0 + alpha sigma_0 eps: the noise moved x by about alpha sigma_0 = 16 per coordinate.
    double moved = 0;
    for (int i = 0; i < q.length; i++) {
      moved = Math.max(moved, Math.abs(q[i] - before[i]));
    }
    assertEquals(true, moved > 0.5, "noise moved x by " + moved);
    assertArrayEquals(q, t.query(), "a second query draws nothing");
    t.supply(FIELD.denoise(t.query().clone(), t.querySigma())); // predictor
    assertEquals(true, t.checkpoint().noiseAdded());
    t.supply(FIELD.denoise(t.query().clone(), t.querySigma())); // corrector: step 0 done
    assertEquals(1, t.completedSteps());
    assertEquals(false, t.checkpoint().noiseAdded(), "step 1's noise is not drawn yet");
  }

  @Test
  void aResumeFromEitherSideOfTheDrawAsksForTheSameEvaluation() {
    for (boolean drawn : new boolean[] {false, true}) {
      Trajectory t = noisy(SolverKind.EULER);
      t.supply(FIELD.denoise(t.query().clone(), t.querySigma()));
      if (drawn) {
        t.query();
      }
      Checkpoint c = t.checkpoint();
      assertEquals(drawn, c.noiseAdded());
      Trajectory resumed = Trajectory.resume(SolverKind.EULER, SCHEDULE, c, ALPHA);
      assertArrayEquals(t.query(), resumed.query(), "drawn " + drawn);
      Trajectory mirror = noisy(SolverKind.EULER);
      mirror.restore(c, null);
      assertArrayEquals(t.query(), mirror.query(), "mirror, drawn " + drawn);
    }
  }

  @Test
  void aSupplyWithoutAQueryStillAddsTheNoiseFirst() {
    Trajectory asked = noisy(SolverKind.EULER);
    Trajectory told = noisy(SolverKind.EULER);
    while (!asked.done()) {
      double[] d = FIELD.denoise(asked.query().clone(), asked.querySigma());
      asked.supply(d);
      told.supply(d); // same stream, same draws, never queried
      assertArrayEquals(asked.state(), told.state(), "after step " + asked.completedSteps());
    }
  }

  @Test
  void checkpointsAndNoiseSettingsThatDisagreeAreRefusedByName() {
    Trajectory quiet = new Trajectory(SolverKind.HEUN, SCHEDULE, X0);
    Trajectory loud = noisy(SolverKind.HEUN);
    assertRefused(
        "a checkpoint holds the random stream's state exactly when noise injection is on"
            + " (alpha 0.2)",
        () -> Trajectory.resume(SolverKind.HEUN, SCHEDULE, quiet.checkpoint(), ALPHA));
    assertRefused(
        "a checkpoint holds the random stream's state exactly when noise injection is on"
            + " (alpha 0.0)",
        () -> Trajectory.resume(SolverKind.HEUN, SCHEDULE, loud.checkpoint()));
    assertRefused(
        "checkpoint has a random stream state; this trajectory's noise injection is 0.0",
        () -> quiet.restore(loud.checkpoint(), null));
    assertRefused(
        "checkpoint lacks a random stream state; this trajectory's noise injection is 0.2",
        () -> loud.restore(quiet.checkpoint(), null));
    assertRefused(
        "denoised must have length 3, was 2",
        () -> quiet.restore(quiet.checkpoint(), new double[2]));
    UniformRandomProvider plain = SampleSeeds.rng(7)::nextLong; // cannot save or restore
    Trajectory unrestorable = new Trajectory(SolverKind.HEUN, SCHEDULE, X0, ALPHA, plain);
    var e =
        assertThrows(
            IllegalStateException.class, () -> unrestorable.restore(loud.checkpoint(), null));
    assertEquals("this trajectory's random stream cannot be restored", e.getMessage());
  }

  @Test
  void sigmaAndPlannedStepsFollowTheScheduleAndAScheduledSolveNeverFails() {
    Trajectory t = new Trajectory(SolverKind.EULER, SCHEDULE, X0);
    for (int i = 0; i <= SCHEDULE.steps(); i++) {
      assertEquals(SCHEDULE.sigma(i), t.sigma());
      assertEquals(6, t.plannedSteps());
      if (!t.done()) {
        t.supply(FIELD.denoise(t.query().clone(), t.querySigma()));
      }
    }
    assertEquals(0, t.sigma());
    assertEquals(null, t.failure());
  }

  @Test
  void aSavedStreamRestoresIntoAFreshOneWithTheSameDraws() {
    var rng = SampleSeeds.rng(11);
    rng.nextLong();
    rng.nextLong();
    var copy = SampleSeeds.restore(SampleSeeds.save(rng));
    assertEquals(rng.nextLong(), copy.nextLong());
    assertEquals(rng.nextLong(), copy.nextLong());
  }
}
