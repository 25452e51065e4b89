package dev.pfgm.server.sampler;

/**
 * The Dormand-Prince 5(4) tableau (Dormand and Prince 1980; Hairer, Norsett and Wanner, Solving
 * ODEs I, table II.5.2): seven stages, the seventh evaluated at the 5th-order solution, so it is
 * the next step's first stage (FSAL).
 */
final class DormandPrince {

  private DormandPrince() {}

  static final int STAGES = 7;

  /** Stage nodes c_s. */
  static final double[] C = {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1};

  /** a_sj, j < s; row 6 is the 5th-order weights b (FSAL). */
  static final double[][] A = {
    {},
    {1.0 / 5},
    {3.0 / 40, 9.0 / 40},
    {44.0 / 45, -56.0 / 15, 32.0 / 9},
    {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
    {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
    {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}
  };

  /** e_j = b_j - b*_j: 5th- minus 4th-order weights, the local error estimate's weights. */
  static final double[] E = {
    71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40
  };

  /** Error exponent: the controller's step factor is err^(-1/5) (the embedded pair is 5(4)). */
  static final double ORDER = 5;
}
