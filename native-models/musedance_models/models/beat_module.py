"""Beat alignment module (paper 3.3): the per-frame beat one-hot b in {0,1}^K goes through a lookup embedding
(2 rows: no-beat, beat) plus frame positions -> b_dense (K x d); frame hidden states cross-attend to it, then
temporal self-attention along the K frames.

The lookup is written as E[0] + b * (E[1] - E[0]), identical to indexing for b in {0,1}, so the exported graph
takes a float one-hot (no int64 input) and a blanked (all-zero) row is the 'no beat anywhere' sequence."""
import torch
from torch import nn

from .attention import sinusoidal_positions
from .temporal import FrameCrossAttention, TemporalSelfAttention


class BeatModule(nn.Module):
    def __init__(self, ch: int, heads: int, dropout: float, max_frames: int, window: int = None,
                 beat_window: int = None):
        super().__init__()
        self.embedding = nn.Embedding(2, ch)
        self.register_buffer("positions", sinusoidal_positions(max_frames, ch), persistent=False)
        # beat_window: frame k reads only the beat tokens near it (how far the next/last beat is), instead of having
        # to learn to find its own position among all K tokens
        self.cross = FrameCrossAttention(ch, ch, heads, dropout, max_frames, beat_window)
        self.temporal = TemporalSelfAttention(ch, heads, dropout, max_frames, window)

    def dense(self, beat_onehot: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """(B, K) float one-hot -> (B, K, d)."""
        e0, e1 = self.embedding.weight[0], self.embedding.weight[1]
        k = beat_onehot.shape[1]
        return e0 + beat_onehot[..., None] * (e1 - e0) + self.positions[offset:offset + k]

    def forward(self, x, batch, beat_onehot, offset: int = 0):
        return self.temporal(self.cross(x, batch, self.dense(beat_onehot, offset), offset), batch, offset=offset)
