"""Widen a trained U-Net (channels c1/c2 → m·c1/m·c2) without changing the function it computes.

Net2Net-style: every feature channel c becomes m interleaved copies m·c … m·c+m−1. A layer that
produces channels repeats its output filters (and bias, GroupNorm affine) m times; a layer that
consumes them gets each input column split into m parts that sum to the original (1/m each, plus
zero-sum noise so the copies stop receiving identical gradients). Why the function is kept:
- concatenations ([u, h] in the decoder) stay interleaved: original index i maps to m·i … m·i+m−1;
- GroupNorm keeps its 8 groups, and each widened group holds m copies of exactly the original
  group's channels, so its mean and variance are unchanged.
The c_noise embedding, its MLP and the class embedding are not widened.
"""
import torch
from torch import nn

from model import EDMDenoiser


def widen(small, channels, noise=0.01, seed=0):
    """A new EDMDenoiser with `channels` (integer multiples m of small's, one m for both) computing
    the same function as `small` up to float rounding; `noise` scales the zero-sum split noise
    (relative to each weight tensor's standard deviation)."""
    c1, c2 = small.net.conv_in.out_channels, small.net.down14.out_channels
    m = channels[0] // c1
    if m < 1 or tuple(channels) != (m * c1, m * c2):
        raise ValueError(f"channels {tuple(channels)} are not one integer multiple of {(c1, c2)}")
    emb_dim = small.net.map[0].out_features
    wide = EDMDenoiser(tuple(channels), emb_dim, small.num_classes, small.sigma_data)
    gen = torch.Generator().manual_seed(seed)
    small_modules = dict(small.named_modules())
    with torch.no_grad():
        for name, w in wide.named_modules():
            s = small_modules[name]
            if isinstance(w, nn.Conv2d):
                w.weight.copy_(_split_inputs(_repeat(s.weight, m, w.out_channels, 0), m, w.in_channels,
                                             noise, gen))
                w.bias.copy_(_repeat(s.bias, m, w.out_channels, 0))
            elif isinstance(w, nn.GroupNorm):
                w.weight.copy_(_repeat(s.weight, m, w.num_channels, 0))
                w.bias.copy_(_repeat(s.bias, m, w.num_channels, 0))
            elif isinstance(w, nn.Linear):  # ResBlock.emb widens its output; the embedding MLP stays
                w.weight.copy_(_repeat(s.weight, m, w.out_features, 0))
                if w.bias is not None:
                    w.bias.copy_(_repeat(s.bias, m, w.out_features, 0))
    return wide


def _repeat(t, m, size, dim):
    """Each index i along dim repeated m times (m·i … m·i+m−1), unless that dim keeps its size."""
    return t if t.shape[dim] == size else t.repeat_interleave(m, dim=dim)


def _split_inputs(weight, m, size, noise, gen):
    """Input column i becomes m columns weight/m + ε_k with Σ_k ε_k = 0 (same sum, distinct copies)."""
    if weight.shape[1] == size:
        return weight
    parts = weight.repeat_interleave(m, dim=1) / m
    eps = torch.randn(parts.shape, generator=gen) * noise * float(weight.std())
    eps = eps.reshape(parts.shape[0], -1, m, *parts.shape[2:])
    eps = eps - eps.mean(dim=2, keepdim=True)
    return parts + eps.reshape(parts.shape)
