"""Multi-head attention with diffusers' parameter names (to_q/to_k/to_v/to_out.0).

`attention()` uses torch 2's fused scaled_dot_product_attention when it exists and when not exporting to ONNX;
torch 1.13 (and ONNX export) take the manual path, which is the same maths."""
import math

import torch
import torch.nn.functional as F
from torch import nn

_HAS_SDPA = hasattr(F, "scaled_dot_product_attention")


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: torch.Tensor = None) -> torch.Tensor:
    """q: (B, H, Nq, d), k/v: (B, H, Nk, d) -> (B, H, Nq, d). Softmax(q k^T / sqrt(d) + bias) v, where `bias`
    (Nq, Nk) is an additive mask (0 = attend, -inf = never)."""
    if _HAS_SDPA and not torch.onnx.is_in_onnx_export():
        return F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
    scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(q.shape[-1]))
    if bias is not None:
        scores = scores + bias
    return torch.matmul(scores.softmax(dim=-1), v)


def band_bias(n_q: int, n_k: int, half_width: int, device=None) -> torch.Tensor:
    """(n_q, n_k) additive mask letting query i attend to keys j with |i - j| <= half_width (frame axis)."""
    i = torch.arange(n_q, device=device)[:, None]
    j = torch.arange(n_k, device=device)[None, :]
    zero = torch.zeros((), device=device)
    return torch.where((i - j).abs() <= half_width, zero, torch.full((), float("-inf"), device=device))


class Attention(nn.Module):
    """Self- or cross-attention. `context=None` -> self-attention over `x`."""

    def __init__(self, query_dim: int, heads: int, context_dim: int = None, bias_qkv: bool = False,
                 dropout: float = 0.0):
        super().__init__()
        context_dim = context_dim or query_dim
        self.heads = heads
        self.to_q = nn.Linear(query_dim, query_dim, bias=bias_qkv)
        self.to_k = nn.Linear(context_dim, query_dim, bias=bias_qkv)
        self.to_v = nn.Linear(context_dim, query_dim, bias=bias_qkv)
        self.to_out = nn.ModuleList([nn.Linear(query_dim, query_dim), nn.Dropout(dropout)])

    def _split(self, t: torch.Tensor) -> torch.Tensor:
        b, n, c = t.shape
        return t.reshape(b, n, self.heads, c // self.heads).transpose(1, 2)

    def forward(self, x: torch.Tensor, context: torch.Tensor = None, bias: torch.Tensor = None) -> torch.Tensor:
        context = x if context is None else context
        q, k, v = self._split(self.to_q(x)), self._split(self.to_k(context)), self._split(self.to_v(context))
        out = attention(q, k, v, bias)
        b, h, n, d = out.shape
        out = out.transpose(1, 2).reshape(b, n, h * d)
        return self.to_out[1](self.to_out[0](out))


def sinusoidal_positions(length: int, dim: int) -> torch.Tensor:
    """(length, dim) sin/cos table (Transformer positional encoding) for frame positions."""
    pos = torch.arange(length, dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim)
    table[:, 0::2] = torch.sin(pos * freq)
    table[:, 1::2] = torch.cos(pos * freq[: dim // 2])
    return table


def timestep_embedding(timesteps: torch.Tensor, dim: int) -> torch.Tensor:
    """diffusers' Timesteps(dim, flip_sin_to_cos=True, downscale_freq_shift=0): [cos | sin]."""
    half = dim // 2
    exponent = -math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=timesteps.device) / half
    args = timesteps.float()[:, None] * torch.exp(exponent)[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
