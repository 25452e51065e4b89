package dev.pfgm.server.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExactFieldTest {

  private static final double[][] DATA = {{0.5, -0.25}, {-1, 1}, {0, 0.75}};

  @Test
  void onADataPointAtTinySigmaTheFieldIsThatPointWithoutNaN() {
    for (double augmentDim : new double[] {1, 8, 1e6, Double.POSITIVE_INFINITY}) {
      ExactField field = new ExactField(DATA, augmentDim);
      for (double sigma : new double[] {1e-30, 1e-300, 0}) {
        assertArrayEquals(
            DATA[0],
            field.denoise(DATA[0].clone(), sigma),
            1e-12,
            "D=" + augmentDim + " sigma=" + sigma);
      }
    }
  }

  @Test
  void forDiffusionAtTinySigmaTheFieldIsTheNearestDataPointWithoutNaN() {
    ExactField field = new ExactField(DATA, Double.POSITIVE_INFINITY);
    for (double sigma : new double[] {1e-2, 1e-30, 1e-300, 0}) {
      assertArrayEquals(
          DATA[1], field.denoise(new double[] {-0.9, 1.2}, sigma), 1e-12, "sigma=" + sigma);
    }
  }

  @Test
  void atHugeSigmaTheFieldIsTheDataMean() {
    double[] mean = {-1.0 / 6, 0.5};
    for (double augmentDim : new double[] {8, Double.POSITIVE_INFINITY}) {
      double[] denoised = new ExactField(DATA, augmentDim).denoise(new double[] {3, -2}, 1e8);
      assertArrayEquals(mean, denoised, 1e-9);
    }
  }

  @Test
  void largeAugmentDimApproachesTheDiffusionField() {
    double[] x = {0.3, 0.2};
    double[] diffusion = new ExactField(DATA, Double.POSITIVE_INFINITY).denoise(x, 0.7);
    double[] pfgm = new ExactField(DATA, 1e9).denoise(x, 0.7);
    assertArrayEquals(diffusion, pfgm, 1e-6);
  }

  @Test
  void equidistantPointsGetEqualWeights() {
    double[][] pair = {{1, 0}, {-1, 0}};
    double[] denoised = new ExactField(pair, 8).denoise(new double[] {0, 5}, 0.01);
    assertEquals(0, denoised[0], 1e-15);
    assertTrue(Double.isFinite(denoised[1]));
  }

  @Test
  void invalidArgumentsAreRejectedWithTheRuleAndTheValue() {
    var e = assertThrows(IllegalArgumentException.class, () -> new ExactField(DATA, 0));
    assertEquals("augmentDim must be > 0 (or +Infinity for diffusion), was 0.0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ExactField(new double[0][], 8));
    assertThrows(
        IllegalArgumentException.class, () -> new ExactField(new double[][] {{1, 2}, {3}}, 8));
    ExactField field = new ExactField(DATA, 8);
    assertThrows(IllegalArgumentException.class, () -> field.denoise(new double[3], 1));
    assertThrows(IllegalArgumentException.class, () -> field.denoise(new double[2], -1));
  }
}
