"""Shared pieces of the stage-2 modules: frame-axis reshapes and AnimateDiff-style temporal self-attention.

Hidden states inside the UNet are (B*T, C, h, w) with T frames per item; the temporal layers view them as
(B*h*w, T, C) and attend along T with sinusoidal frame positions. Output projections start at zero so a new
module is the identity (stage 2 starts from the stage-1 model)."""
import torch
from torch import nn

from .attention import Attention, band_bias, sinusoidal_positions


def frames_to_tokens(x: torch.Tensor, batch: int) -> torch.Tensor:
    """(B*T, C, h, w) -> (B*T, h*w, C)."""
    bt, c, h, w = x.shape
    return x.reshape(bt, c, h * w).transpose(1, 2)


def tokens_to_frames(t: torch.Tensor, h: int, w: int) -> torch.Tensor:
    bt, n, c = t.shape
    return t.transpose(1, 2).reshape(bt, c, h, w)


def zero_(linear: nn.Linear) -> nn.Linear:
    nn.init.zeros_(linear.weight)
    nn.init.zeros_(linear.bias)
    return linear


class TemporalSelfAttention(nn.Module):
    """Self-attention along the frame axis at every spatial position (paper: 'reshape the hidden states into
    (HzWz) x K x d and compute self-attention along the temporal dimension')."""

    def __init__(self, ch: int, heads: int, dropout: float, max_frames: int, window: int = None):
        super().__init__()
        self.norm = nn.LayerNorm(ch)
        self.attn = Attention(ch, heads, dropout=dropout)
        zero_(self.attn.to_out[0])
        self.register_buffer("positions", sinusoidal_positions(max_frames, ch), persistent=False)
        self.window = window   # None: every frame sees every frame; w: frames at most w apart (sliding window)

    def forward(self, x: torch.Tensor, batch: int, keep_last: int = None, offset: int = 0) -> torch.Tensor:
        """x: (B*T, C, h, w). Attends over all T frames; returns the last `keep_last` frames (all if None).
        `offset`: position of the first frame (training on windows shorter than a segment, see train.py)."""
        bt, c, h, w = x.shape
        t = bt // batch
        seq = x.reshape(batch, t, c, h * w).permute(0, 3, 1, 2).reshape(batch * h * w, t, c)
        bias = None if self.window is None or self.window >= t - 1 else band_bias(t, t, self.window, x.device)
        out = self.attn(self.norm(seq) + self.positions[offset:offset + t], bias=bias)
        keep = t if keep_last is None else keep_last
        res = (seq[:, t - keep:] + out[:, t - keep:]).reshape(batch, h * w, keep, c).permute(0, 2, 3, 1)
        return res.reshape(batch * keep, c, h, w)


class FrameCrossAttention(nn.Module):
    """Cross-attention from every spatial token of frame k (plus frame position k) to per-item context tokens."""

    def __init__(self, ch: int, context_dim: int, heads: int, dropout: float, max_frames: int, window: int = None):
        super().__init__()
        self.norm = nn.LayerNorm(ch)
        self.attn = Attention(ch, heads, context_dim=context_dim, dropout=dropout)
        zero_(self.attn.to_out[0])
        self.register_buffer("positions", sinusoidal_positions(max_frames, ch), persistent=False)
        # Per-frame contexts only (one context token per frame, e.g. the beat sequence): frame k sees the tokens
        # of frames at most `window` away. None: every frame sees the whole context.
        self.window = window

    def forward(self, x: torch.Tensor, batch: int, context: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """x: (B*K, C, h, w); context: (B, L, context_dim) shared by the K frames of an item.

        Every frame of an item attends to the same context, so the K*h*w queries of an item form one attention
        call (identical maths to per-frame calls, without repeating the context K times)."""
        bk, c, h, w = x.shape
        k = bk // batch
        tok = frames_to_tokens(x, batch)                                    # (B*K, hw, C)
        q = self.norm(tok) + self.positions[offset:offset + k].repeat(batch, 1)[:, None, :]
        bias = None
        if self.window is not None and self.window < max(k, context.shape[1]) - 1:
            bias = band_bias(k, context.shape[1], self.window, x.device).repeat_interleave(h * w, dim=0)
        out = self.attn(q.reshape(batch, k * h * w, c), context=context, bias=bias).reshape(bk, h * w, c)
        return tokens_to_frames(tok + out, h, w)
