"""CIFAR-10-shaped (3×32×32) U-Nets with seeded random weights, for serving benchmarks.

The layout follows the DDPM++ family that EDM uses for CIFAR-10 (Karras et al. 2022, Table 7:
"DDPM++"; 55,732,739 parameters in NVlabs/edm's networks.py with its CIFAR-10 config), re-derived
here, not copied: residual blocks with GroupNorm (up to 32 groups) + SiLU
and an additive noise embedding, the residual sum scaled by √½, 2×2 average-pool down and nearest
up resampling inside the blocks, single-head self-attention at 16×16, and a decoder with one block
more per resolution than the encoder, each fed a skip from the encoder. F never sees D.

The weights are random (seeded): the outputs are finite and non-trivial over σ ∈ [0.002, 80] but
mean nothing. These networks measure serving speed, never sample quality.
"""
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from model import PositionalEmbedding, Preconditioned

RESOLUTION = 32
SHAPE = (3, RESOLUTION, RESOLUTION)


@dataclass(frozen=True)
class UNetSize:
    """channels·mult[l] channels at resolution 32 / 2^l; blocks per encoder level; attention at attn."""

    channels: int
    mult: tuple
    blocks: int
    attn: tuple
    emb_dim: int


SIZES = {
    # 3,987,747 parameters, ~0.7 G multiply-adds per sample: a CPU benchmark in minutes on 2 cores.
    "small": UNetSize(channels=32, mult=(1, 2, 4), blocks=2, attn=(16,), emb_dim=128),
    # EDM's DDPM++ CIFAR-10 shape (model_channels 128, channel_mult 2-2-2, 4 blocks, attention at
    # 16×16, embedding 512): 57,381,123 parameters (EDM's: 55,732,739), ~22 G multiply-adds per
    # sample, for GPU runs.
    "ddpmpp": UNetSize(channels=128, mult=(2, 2, 2), blocks=4, attn=(16,), emb_dim=512),
}


class Block(nn.Module):
    """Residual block (optionally resampling), with optional self-attention after it."""

    def __init__(self, c_in, c_out, emb_dim, resample=None, attention=False):
        super().__init__()
        self.resample = resample  # None, "down" or "up"
        self.norm1 = nn.GroupNorm(min(32, c_in // 4), c_in, eps=1e-6)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.emb = nn.Linear(emb_dim, c_out)
        self.norm2 = nn.GroupNorm(min(32, c_out // 4), c_out, eps=1e-6)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out or resample else None
        self.attention = SelfAttention(c_out) if attention else None

    def _resample(self, x):
        if self.resample == "down":
            return F.avg_pool2d(x, 2)
        if self.resample == "up":
            return F.interpolate(x, scale_factor=2.0, mode="nearest")
        return x

    def forward(self, x, emb):
        h = self.conv1(self._resample(F.silu(self.norm1(x))))
        h = h + self.emb(emb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        x = self._resample(x)
        x = (h + (self.skip(x) if self.skip is not None else x)) * math.sqrt(0.5)
        if self.attention is not None:
            x = (x + self.attention(x)) * math.sqrt(0.5)
        return x


class SelfAttention(nn.Module):
    """Single-head self-attention over the H·W positions (matmuls only: plain ONNX MatMul/Softmax)."""

    def __init__(self, channels):
        super().__init__()
        self.norm = nn.GroupNorm(min(32, channels // 4), channels, eps=1e-6)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.proj = nn.Conv2d(channels, channels, 1)
        self.scale = 1.0 / math.sqrt(channels)

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, c, h * w).unbind(1)  # each [B, C, HW]
        weights = torch.softmax(torch.matmul(q.transpose(1, 2), k) * self.scale, dim=2)  # [B, HW, HW]
        out = torch.matmul(v, weights.transpose(1, 2))  # [B, C, HW]
        return self.proj(out.reshape(b, c, h, w))


class CifarUNet(nn.Module):
    """F(x, c_noise): [B,3,32,32] -> [B,3,32,32], unconditional."""

    def __init__(self, size):
        super().__init__()
        e = size.emb_dim
        self.pos = PositionalEmbedding(e // 4)
        self.map = nn.Sequential(nn.Linear(e // 4, e), nn.SiLU(), nn.Linear(e, e), nn.SiLU())
        widths = [size.channels * m for m in size.mult]
        self.conv_in = nn.Conv2d(SHAPE[0], widths[0], 3, padding=1)
        self.enc = nn.ModuleList()
        skips = [widths[0]]  # channels of every encoder output the decoder takes back
        c = widths[0]
        for level, width in enumerate(widths):
            res = RESOLUTION >> level
            if level > 0:
                self.enc.append(Block(c, c, e, resample="down"))
                skips.append(c)
            for _ in range(size.blocks):
                self.enc.append(Block(c, width, e, attention=res in size.attn))
                c = width
                skips.append(c)
        self.mid = nn.ModuleList([Block(c, c, e, attention=True), Block(c, c, e)])
        self.dec = nn.ModuleList()
        for level in reversed(range(len(widths))):
            res = RESOLUTION >> level
            for _ in range(size.blocks + 1):
                self.dec.append(Block(c + skips.pop(), widths[level], e, attention=res in size.attn))
                c = widths[level]
            if level > 0:
                self.dec.append(Block(c, c, e, resample="up"))
        assert not skips
        self.norm_out = nn.GroupNorm(min(32, c // 4), c, eps=1e-6)
        self.conv_out = nn.Conv2d(c, SHAPE[0], 3, padding=1)

    def forward(self, x, c_noise, class_labels=None):
        emb = self.map(self.pos(c_noise))
        h = self.conv_in(x)
        skips = [h]
        for block in self.enc:
            h = block(h, emb)
            skips.append(h)
        for block in self.mid:
            h = block(h, emb)
        for block in self.dec:
            if block.resample != "up":
                h = torch.cat([h, skips.pop()], dim=1)
            h = block(h, emb)
        return self.conv_out(F.silu(self.norm_out(h)))


def denoiser(size="small"):
    """The preconditioned denoiser Dθ(x, σ) of the named size, PyTorch's default init (load weights
    into it: export_module.py's worked example in models/README.md uses this factory)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, was {size!r}")
    return Preconditioned(CifarUNet(SIZES[size])).eval()


def build(size, seed):
    """denoiser(size) with weights drawn from `seed` alone."""
    net = denoiser(size)
    init_weights(net, torch.Generator().manual_seed(seed))
    return net


@torch.no_grad()
def init_weights(module, generator):
    """Conv/Linear weights and biases ~ U(±1/√fan_in) (PyTorch's default bound, drawn from our own
    generator); GroupNorm scale 1, shift 0. Every block is normalised on entry, so activations stay
    O(1) at any depth and F(c_in·x, c_noise) is O(1) and finite for every σ: no zeroed branches,
    so every layer changes the output and the parity and check vectors test the whole graph."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            bound = 1.0 / math.sqrt(m.weight[0].numel())
            m.weight.uniform_(-bound, bound, generator=generator)
            m.bias.uniform_(-bound, bound, generator=generator)
        elif isinstance(m, nn.GroupNorm):
            m.weight.fill_(1.0)
            m.bias.zero_()
