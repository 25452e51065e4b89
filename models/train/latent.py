"""The class the server draws for each sample of a latent-class model (card key latent_class_prior).

The rule, as the server applies it (models/README.md, the card table): the sample's seed s seeds
SplitMix64; its first two outputs are the trajectory stream's state, the next two the state of a
XoRoShiRo128++ generator; u = (its first output >>> 11) · 2⁻⁵³; the class is the smallest c with
u < π_0 + … + π_c (classes of probability 0 skipped). Scoring uses it to ask whether a latent-class
model's sample looks like the digit the server fed its network (quality_table.py: "as drawn").
"""
import numpy as np

MASK = (1 << 64) - 1


def _splitmix64(state):
    """(output, next state) of SplitMix64 (Steele, Lea, Flood 2014; the constants of commons-rng)."""
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31), state


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


def class_uniform(seed):
    """u ∈ [0, 1): the first double of the sample's class stream."""
    state = seed & MASK
    out = []
    for _ in range(4):
        value, state = _splitmix64(state)
        out.append(value)
    s0, s1 = out[2], out[3]
    first = (_rotl((s0 + s1) & MASK, 17) + s0) & MASK  # XoRoShiRo128++'s first output
    return (first >> 11) * 2.0 ** -53


def latent_class(prior, seed):
    """The class the server draws for the sample with this seed."""
    u, cumulative, last = class_uniform(seed), 0.0, -1
    for c, p in enumerate(prior):
        if p > 0:
            last, cumulative = c, cumulative + p
            if u < cumulative:
                return c
    if last < 0:
        raise ValueError("the prior has no class with probability > 0")
    return last


def latent_classes(prior, first_seed, count):
    """Classes of seeds first_seed .. first_seed + count - 1 (a sample_via_server.py run's seeds)."""
    return np.array([latent_class(prior, first_seed + i) for i in range(count)], dtype=np.int64)
