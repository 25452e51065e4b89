"""Range-checked argparse types for the pipeline's command lines: a value out of range is a usage
error (exit 2) naming the option, the range and the value, before any work starts."""
import argparse

SEED_MAX = 2 ** 63 - 1


def ranged(kind, lo, hi, name):
    """An argparse `type`: kind(text), which must lie in [lo, hi]."""
    def parse(text):
        try:
            v = kind(text)
        except ValueError:
            what = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{name} must be {what}, was {text!r}") from None
        if not lo <= v <= hi:  # also refuses NaN
            raise argparse.ArgumentTypeError(f"{name} must be in [{lo}, {hi}], was {v}")
        return v
    return parse
