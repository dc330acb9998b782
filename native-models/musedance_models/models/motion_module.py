"""Motion alignment module (paper 3.3): z_motion = concat(z'_t, z_t) on the time axis, where z'_t are the hidden
states of the previous M frames (computed by the same UNet layers from their clean latents), temporal
self-attention over the M+K frames, and the last K are kept as the current frames.

Two weight layouts (`UNetConfig.motion_layout`):
- "musedance": one LayerNorm + temporal self-attention with a fixed sinusoidal frame table (the tiny pack);
- "animatediff": AnimateDiff's TemporalTransformer3DModel with its parameter names (GroupNorm, proj_in, two
  temporal self-attentions each with its own LayerNorm and position table `pe`, GEGLU feed-forward, proj_out),
  so AnimateDiff v1/v2 and Moore-AnimateAnyone motion modules are its starting point. Its position tables are
  persistent weights of `max_frames` rows: an imported 24/32-row table is extended to them
  (weights_import/motion_modules.py). proj_out starts at zero, so a fresh module is the identity."""
import torch
from torch import nn

from .attention import Attention, band_bias, sinusoidal_positions
from .temporal import TemporalSelfAttention, zero_
from .unet_blocks import FeedForward


class MotionModule(nn.Module):
    def __init__(self, ch: int, heads: int, dropout: float, max_frames: int, window: int = None):
        super().__init__()
        self.temporal = TemporalSelfAttention(ch, heads, dropout, max_frames, window)

    def forward(self, prev, cur, batch, offset: int = 0):
        """prev: (B*M, C, h, w), cur: (B*K, C, h, w) -> updated current frames (B*K, C, h, w)."""
        c, h, w = cur.shape[1:]
        m, k = prev.shape[0] // batch, cur.shape[0] // batch
        both = torch.cat([prev.reshape(batch, m, c, h, w), cur.reshape(batch, k, c, h, w)], dim=1)
        return self.temporal(both.reshape(batch * (m + k), c, h, w), batch, keep_last=k, offset=offset)


class PositionTable(nn.Module):
    """`pe` (1, max_frames, C): sinusoidal at init; persistent, so an imported (and extended) table is kept."""

    def __init__(self, ch: int, max_frames: int):
        super().__init__()
        self.register_buffer("pe", sinusoidal_positions(max_frames, ch)[None])


class TemporalPositionAttention(Attention):
    """AnimateDiff's temporal self-attention block: adds its position table to the normed sequence, then
    self-attends along the frame axis (queries, keys and values all see the positions)."""

    def __init__(self, ch: int, heads: int, dropout: float, max_frames: int):
        super().__init__(ch, heads, dropout=dropout)
        self.pos_encoder = PositionTable(ch, max_frames)

    def forward(self, x, offset: int = 0, bias=None):
        return super().forward(x + self.pos_encoder.pe[:, offset:offset + x.shape[1]], bias=bias)


class TemporalTransformerBlock(nn.Module):
    def __init__(self, ch: int, heads: int, dropout: float, max_frames: int, attention_blocks: int = 2):
        super().__init__()
        self.attention_blocks = nn.ModuleList([TemporalPositionAttention(ch, heads, dropout, max_frames)
                                               for _ in range(attention_blocks)])
        self.norms = nn.ModuleList([nn.LayerNorm(ch) for _ in range(attention_blocks)])
        self.ff = FeedForward(ch)
        self.ff_norm = nn.LayerNorm(ch)

    def forward(self, seq, offset: int, bias):
        for attn, norm in zip(self.attention_blocks, self.norms):
            seq = seq + attn(norm(seq), offset, bias)
        return seq + self.ff(self.ff_norm(seq))


class TemporalTransformer(nn.Module):
    def __init__(self, ch: int, heads: int, dropout: float, max_frames: int, groups: int, window: int = None):
        super().__init__()
        self.norm = nn.GroupNorm(groups, ch, eps=1e-6)
        self.proj_in = nn.Linear(ch, ch)
        self.transformer_blocks = nn.ModuleList([TemporalTransformerBlock(ch, heads, dropout, max_frames)])
        self.proj_out = zero_(nn.Linear(ch, ch))
        self.window = window

    def forward(self, x, batch: int, keep_last: int, offset: int = 0):
        """x: (B*T, C, h, w) -> the last `keep_last` frames (B*keep, C, h, w)."""
        bt, c, h, w = x.shape
        t = bt // batch
        seq = self.proj_in(self.norm(x).reshape(batch, t, c, h * w).permute(0, 3, 1, 2).reshape(batch * h * w, t, c))
        bias = None if self.window is None or self.window >= t - 1 else band_bias(t, t, self.window, x.device)
        for block in self.transformer_blocks:
            seq = block(seq, offset, bias)
        out = self.proj_out(seq[:, t - keep_last:]).reshape(batch, h * w, keep_last, c).permute(0, 2, 3, 1)
        return x.reshape(batch, t, c, h, w)[:, t - keep_last:].reshape(batch * keep_last, c, h, w) + \
            out.reshape(batch * keep_last, c, h, w)


class AnimateDiffMotionModule(nn.Module):
    """The motion module in AnimateDiff's layout (`temporal_transformer.*` as in its VanillaTemporalModule)."""

    def __init__(self, ch: int, heads: int, dropout: float, max_frames: int, groups: int, window: int = None):
        super().__init__()
        self.temporal_transformer = TemporalTransformer(ch, heads, dropout, max_frames, groups, window)

    def forward(self, prev, cur, batch, offset: int = 0):
        c, h, w = cur.shape[1:]
        m, k = prev.shape[0] // batch, cur.shape[0] // batch
        both = torch.cat([prev.reshape(batch, m, c, h, w), cur.reshape(batch, k, c, h, w)], dim=1)
        return self.temporal_transformer(both.reshape(batch * (m + k), c, h, w), batch, keep_last=k, offset=offset)


def motion_module(layout: str, ch: int, heads: int, dropout: float, max_frames: int, groups: int, window=None):
    if layout == "musedance":
        return MotionModule(ch, heads, dropout, max_frames, window)
    if layout == "animatediff":
        return AnimateDiffMotionModule(ch, heads, dropout, max_frames, groups, window)
    raise ValueError(f"unknown motion_layout {layout!r} (musedance | animatediff)")
