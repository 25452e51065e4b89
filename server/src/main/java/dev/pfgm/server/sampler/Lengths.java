package dev.pfgm.server.sampler;

/** The sampler's one length check of an array it is handed. */
final class Lengths {

  private Lengths() {}

  /**
   * Returns {@code a} when it has {@code length} entries; otherwise throws "NAME must have length
   * N, was M" (M is "null" for no array).
   */
  static double[] require(String name, double[] a, int length) {
    if (a == null || a.length != length) {
      throw new IllegalArgumentException(
          name + " must have length " + length + ", was " + (a == null ? "null" : a.length));
    }
    return a;
  }
}
