package dev.pfgm.server.engine;

/**
 * A closed range of ints, written once where the value is owned: the record that must hold it
 * checks it, and the configuration key that sets it reads the same constant for its rule, its
 * --help text and its docs row.
 */
public record IntRange(int min, int max) {

  public IntRange {
    if (min > max) {
      throw new IllegalArgumentException("range must have min <= max, was " + min + ".." + max);
    }
  }

  public boolean contains(long value) {
    return value >= min && value <= max;
  }

  /** {@code value}, or IllegalArgumentException "name must be in min..max, was value". */
  public int check(String name, int value) {
    if (!contains(value)) {
      throw new IllegalArgumentException(name + " must be in " + this + ", was " + value);
    }
    return value;
  }

  /** "min..max", as rules and docs write it. */
  @Override
  public String toString() {
    return min + ".." + max;
  }
}
