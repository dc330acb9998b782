"""Motion alignment module (paper 3.3): z_motion = concat(z'_t, z_t) on the time axis, where z'_t are the hidden
states of the previous M frames (computed by the same UNet layers from their clean latents), temporal
self-attention over the M+K frames, and the last K are kept as the current frames."""
import torch
from torch import nn

from .temporal import TemporalSelfAttention


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
