"""PFGM++ maths shared by training and sampling (DESIGN.md §1). augment_dim D = math.inf is EDM."""
import math

import numpy as np


def parse_augment_dim(value):
    """128 -> 128.0; "inf" / math.inf -> math.inf. D must be >= 1 (D = 1 is PFGM; for D <= 2 the
    radius has no finite second moment, which the sampler handles exactly and training may clip)."""
    d = math.inf if str(value).lower() in ("inf", "infinity") else float(value)
    if not d >= 1:
        raise ValueError(f"augment_dim must be >= 1 or 'inf', was {value}")
    return d


def perturbation(sigma, augment_dim, shape, generator, max_radius_factor=None):
    """Training noise n for each row at noise level sigma [B]; returns [B, *shape].

    Finite D (PFGM++ eq. for the kernel p_r): r = σ√D, R = r·√B', B' ~ BetaPrime(N/2, D/2)
    drawn as Gamma(N/2)/Gamma(D/2), direction uniform on S^{N-1}. D = ∞: n = σ·ε.
    Every draw comes from `generator`: torch has no public seeded Gamma sampler, so the two Gamma
    draws come from a numpy Generator seeded by a draw of `generator`.
    max_radius_factor K (training only, optional): R ≤ K·σ·√N. At D = 1 the radius is so heavy-tailed
    (R/σ above 2,230 for 1 % of draws, N = 784) that a few rows with inputs far outside anything the
    network can fit would dominate the loss; the clip bounds them. The sampler never clips.
    """
    import torch  # here, not at the top: sampling and quantize.py use this module without torch
    b = sigma.shape[0]
    eps = torch.randn((b,) + tuple(shape), generator=generator)
    if math.isinf(augment_dim):
        return sigma.reshape(-1, *([1] * len(shape))) * eps
    n_dim = int(np.prod(shape))
    rng = np.random.default_rng(int(torch.randint(0, 2 ** 62, (1,), generator=generator)))
    g_n = torch.from_numpy(rng.standard_gamma(n_dim / 2.0, b))
    g_d = torch.from_numpy(rng.standard_gamma(augment_dim / 2.0, b))
    radius = sigma.double() * math.sqrt(augment_dim) * torch.sqrt(g_n / g_d)
    if max_radius_factor is not None:
        radius = torch.minimum(radius, sigma.double() * max_radius_factor * math.sqrt(n_dim))
    unit = eps / eps.reshape(b, -1).norm(dim=1).reshape(-1, *([1] * len(shape)))
    return (radius.float().reshape(-1, *([1] * len(shape)))) * unit


def schedule(steps, sigma_min=0.002, sigma_max=80.0, rho=7.0):
    """EDM/Karras σ_0..σ_{n-1} then σ_n = 0, float64."""
    i = np.arange(steps, dtype=np.float64)
    s = (sigma_max ** (1 / rho) + i / (steps - 1) * (sigma_min ** (1 / rho) - sigma_max ** (1 / rho))) ** rho
    return np.append(s, 0.0)


def prior(rng, count, shape, augment_dim, sigma_max=80.0):
    """x₀ (float64 [count, *shape]); finite D: R = σ_max√D√B', u uniform on the sphere; no clipping."""
    eps = rng.standard_normal((count,) + tuple(shape))
    if math.isinf(augment_dim):
        return sigma_max * eps
    n_dim = int(np.prod(shape))
    b_prime = rng.standard_gamma(n_dim / 2.0, count) / rng.standard_gamma(augment_dim / 2.0, count)
    radius = sigma_max * math.sqrt(augment_dim) * np.sqrt(b_prime)
    unit = eps / np.linalg.norm(eps.reshape(count, -1), axis=1).reshape(-1, *([1] * len(shape)))
    return radius.reshape(-1, *([1] * len(shape))) * unit


def heun(denoise, x0, sigmas):
    """EDM Alg. 2 without churn; denoise(x float32 [B,...], sigma float32 [B]) -> float32 [B,...]."""
    x = x0.astype(np.float64)
    b = x.shape[0]
    n = len(sigmas) - 1
    for i in range(n):
        s_cur, s_next = sigmas[i], sigmas[i + 1]
        d_cur = (x - denoise(x.astype(np.float32), np.full(b, s_cur, np.float32))) / s_cur
        x_euler = x + (s_next - s_cur) * d_cur  # Euler step.
        if i < n - 1:  # 2nd-order correction.
            d_prime = (x_euler - denoise(x_euler.astype(np.float32), np.full(b, s_next, np.float32))) / s_next
            x = x + (s_next - s_cur) * (0.5 * d_cur + 0.5 * d_prime)
        else:
            x = x_euler
    return x
