"""SD1.5 UNet building blocks (diffusers names): ResnetBlock2D, Transformer2D whose spatial self-attention also
sees ReferenceNet features (paper 3.2), down/up samplers."""
from typing import List, Optional

import torch
import torch.nn.functional as F
from torch import nn

from .attention import Attention


class ResnetBlock2D(nn.Module):
    def __init__(self, cin: int, cout: int, temb_dim: int, groups: int):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb_dim, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=1e-5)
        self.dropout = nn.Dropout(0.0)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return (x if self.conv_shortcut is None else self.conv_shortcut(x)) + h


class GEGLU(nn.Module):
    def __init__(self, dim: int, inner: int):
        super().__init__()
        self.proj = nn.Linear(dim, inner * 2)

    def forward(self, x):
        a, gate = self.proj(x).chunk(2, dim=-1)
        return a * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim: int, mult: int = 4):
        super().__init__()
        self.net = nn.ModuleList([GEGLU(dim, dim * mult), nn.Dropout(0.0), nn.Linear(dim * mult, dim)])

    def forward(self, x):
        for m in self.net:
            x = m(x)
        return x


class ReferenceContext:
    """Carries ReferenceNet features through one forward pass.

    mode "write": every self-attention appends its normed input (the feature the paper concatenates);
    mode "read": every self-attention pops the next feature, in the same traversal order."""

    def __init__(self, mode: str, feats: Optional[List[torch.Tensor]] = None):
        self.mode, self.feats, self.index = mode, feats if feats is not None else [], 0

    def next(self) -> torch.Tensor:
        f = self.feats[self.index]
        self.index += 1
        return f


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim: int, heads: int, context_dim: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn1 = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.attn2 = Attention(dim, heads, context_dim=context_dim)
        self.norm3 = nn.LayerNorm(dim)
        self.ff = FeedForward(dim)

    def forward(self, x, text, ref: Optional[ReferenceContext], frames_per_item: int):
        n = self.norm1(x)
        if ref is not None and ref.mode == "write":
            ref.feats.append(n)
            x = x + self.attn1(n)
        elif ref is not None and ref.mode == "read":
            # Paper 3.2: concatenate denoiser and ReferenceNet features along W, self-attend, keep the first half.
            # Keys/values = both halves, queries = the denoiser half only: exactly the first half of the full
            # attention's output (a query's output depends on its own row only), at half the cost.
            r = ref.next()
            r = r.expand(n.shape[0], -1, -1) if r.shape[0] == 1 else r.repeat_interleave(frames_per_item, dim=0)
            x = x + self.attn1(n, context=torch.cat([n, r], dim=1))
        else:
            x = x + self.attn1(n)
        x = x + self.attn2(self.norm2(x), context=text)
        return x + self.ff(self.norm3(x))


class Transformer2DModel(nn.Module):
    def __init__(self, ch: int, heads: int, context_dim: int, groups: int):
        super().__init__()
        self.norm = nn.GroupNorm(groups, ch, eps=1e-6)
        self.proj_in = nn.Conv2d(ch, ch, 1)
        self.transformer_blocks = nn.ModuleList([BasicTransformerBlock(ch, heads, context_dim)])
        self.proj_out = nn.Conv2d(ch, ch, 1)

    def forward(self, x, text, ref, frames_per_item):
        b, c, h, w = x.shape
        t = self.proj_in(self.norm(x)).reshape(b, c, h * w).transpose(1, 2)
        for blk in self.transformer_blocks:
            t = blk(t, text, ref, frames_per_item)
        return x + self.proj_out(t.transpose(1, 2).reshape(b, c, h, w))


class Downsample2D(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class Upsample2D(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))
