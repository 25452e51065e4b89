"""Float64 numpy references for the tests: the exact field, the σ schedule, the priors, Heun.

Independent of the ONNX graph on purpose (DESIGN.md §1 is the source for every formula here).
"""
import math

import numpy as np


def exact_field(x: np.ndarray, sigma: np.ndarray, points: np.ndarray, augment_dim: float) -> np.ndarray:
    """D(x, σ) in float64 for x [B, ...], sigma [B], points [M, ...] (same trailing shape as x)."""
    b, m = x.shape[0], points.shape[0]
    xf = x.reshape(b, 1, -1).astype(np.float64)
    yf = points.reshape(m, -1).astype(np.float64)
    dist_sq = ((xf - yf[None]) ** 2).sum(axis=2)                       # [B, M]
    sigma_sq = sigma.astype(np.float64)[:, None] ** 2
    n = yf.shape[1]
    if math.isinf(augment_dim):
        logits = -dist_sq / (2 * sigma_sq)
    else:
        logits = -(n + augment_dim) / 2 * np.log(dist_sq + sigma_sq * augment_dim)
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    return (weights @ yf).reshape(x.shape)


def weights(x, sigma, points, augment_dim):
    """The normalised weights w_i of exact_field, [B, M] (diagnostics: which points a row mixes)."""
    b, m = x.shape[0], points.shape[0]
    dist_sq = ((x.reshape(b, 1, -1).astype(np.float64) - points.reshape(1, m, -1)) ** 2).sum(axis=2)
    sigma_sq = sigma.astype(np.float64)[:, None] ** 2
    n = points[0].size
    logits = (-dist_sq / (2 * sigma_sq) if math.isinf(augment_dim)
              else -(n + augment_dim) / 2 * np.log(dist_sq + sigma_sq * augment_dim))
    w = np.exp(logits - logits.max(axis=1, keepdims=True))
    return w / w.sum(axis=1, keepdims=True)


def schedule(n: int = 18, sigma_min: float = 0.002, sigma_max: float = 80.0, rho: float = 7.0) -> np.ndarray:
    """EDM σ schedule σ_0..σ_{n−1} (ρ-spaced, decreasing), then σ_n = 0."""
    i = np.arange(n)
    sigmas = (sigma_max ** (1 / rho) + i / (n - 1) * (sigma_min ** (1 / rho) - sigma_max ** (1 / rho))) ** rho
    return np.append(sigmas, 0.0)


def prior(rng: np.random.Generator, shape: tuple, augment_dim: float, sigma_max: float = 80.0) -> np.ndarray:
    """One starting state x₀: PFGM++ prior R·u for finite D, σ_max·ε for D = ∞ (no clipping)."""
    eps = rng.standard_normal(shape)
    if math.isinf(augment_dim):
        return sigma_max * eps
    n = eps.size
    beta_prime = rng.standard_gamma(n / 2) / rng.standard_gamma(augment_dim / 2)  # ~ BetaPrime(N/2, D/2)
    radius = sigma_max * math.sqrt(augment_dim) * math.sqrt(beta_prime)
    return radius * eps / np.linalg.norm(eps)


def heun(denoise, x0: np.ndarray, sigmas: np.ndarray) -> list:
    """EDM Alg. 2 (deterministic) in float64; returns the states x_0..x_n. The last step is Euler."""
    x = x0.astype(np.float64)
    b = x.shape[0]
    states = [x]
    for i, (sigma_cur, sigma_next) in enumerate(zip(sigmas[:-1], sigmas[1:], strict=True)):
        d_cur = (x - denoise(x, np.full(b, sigma_cur))) / sigma_cur
        x_next = x + (sigma_next - sigma_cur) * d_cur  # Euler step.
        if i < len(sigmas) - 2:
            d_prime = (x_next - denoise(x_next, np.full(b, sigma_next))) / sigma_next
            x_next = x + (sigma_next - sigma_cur) * (d_cur + d_prime) / 2  # 2nd-order correction.
        x = x_next
        states.append(x)
    return states
