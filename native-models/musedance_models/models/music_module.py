"""Music understanding module (paper 3.3): cross-attention from frame hidden states to the AST music tokens
c_music, then temporal self-attention along the K frames."""
from torch import nn

from .temporal import FrameCrossAttention, TemporalSelfAttention


class MusicModule(nn.Module):
    def __init__(self, ch: int, audio_dim: int, heads: int, dropout: float, max_frames: int, window: int = None):
        super().__init__()
        self.cross = FrameCrossAttention(ch, audio_dim, heads, dropout, max_frames)
        self.temporal = TemporalSelfAttention(ch, heads, dropout, max_frames, window)

    def forward(self, x, batch, music_tokens, offset: int = 0):
        """x: (B*K, C, h, w) current frames; music_tokens: (B, L, audio_dim)."""
        return self.temporal(self.cross(x, batch, music_tokens, offset), batch, offset=offset)
