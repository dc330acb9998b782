"""Beat alignment module (paper 3.3): the per-frame beat one-hot b in {0,1}^K goes through a lookup embedding
(2 rows: no-beat, beat) plus frame positions -> b_dense (K x d); frame hidden states cross-attend to it, then
temporal self-attention along the K frames.

The lookup is written as E[0] + b * (E[1] - E[0]), identical to indexing for b in {0,1}, so the exported graph
takes a float one-hot (no int64 input) and a blanked (all-zero) row is the 'no beat anywhere' sequence.

With `beat_offsets` = w (not in the paper), frame k's token also carries which frames k-w .. k+w are beats: one
learned vector per offset, summed over the beat frames (a 1-D convolution of the one-hot). The paper's token says
only 'beat here or not' plus an absolute position, so a frame must work out how far the next beat is by comparing
positions inside the attention; with the offsets its own token says it directly. Beats outside the segment count
as none (zero padding). Tried on the tiny pack and not adopted: the beat input then steered the motion, but half a
beat off the beats (RESULTS.md, beat-shift test)."""
import torch
import torch.nn.functional as F
from torch import nn

from .attention import sinusoidal_positions
from .temporal import FrameCrossAttention, TemporalSelfAttention


class BeatModule(nn.Module):
    def __init__(self, ch: int, heads: int, dropout: float, max_frames: int, window: int = None,
                 beat_window: int = None, beat_offsets: int = None):
        super().__init__()
        self.embedding = nn.Embedding(2, ch)
        self.beat_offsets = beat_offsets
        # (ch, 1, 2w+1): the vector for 'a beat d frames from here', d = -w .. w (N(0, 1) like the embedding rows)
        self.offset_embedding = nn.Parameter(torch.randn(ch, 1, 2 * beat_offsets + 1)) if beat_offsets else None
        self.register_buffer("positions", sinusoidal_positions(max_frames, ch), persistent=False)
        # beat_window: frame k reads only the beat tokens near it (how far the next/last beat is), instead of having
        # to learn to find its own position among all K tokens
        self.cross = FrameCrossAttention(ch, ch, heads, dropout, max_frames, beat_window)
        self.temporal = TemporalSelfAttention(ch, heads, dropout, max_frames, window)

    def dense(self, beat_onehot: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """(B, K) float one-hot -> (B, K, d)."""
        e0, e1 = self.embedding.weight[0], self.embedding.weight[1]
        k = beat_onehot.shape[1]
        dense = e0 + beat_onehot[..., None] * (e1 - e0) + self.positions[offset:offset + k]
        if self.offset_embedding is not None:
            near = F.conv1d(beat_onehot[:, None, :], self.offset_embedding, padding=self.beat_offsets)  # (B, d, K)
            dense = dense + near.transpose(1, 2)
        return dense

    def forward(self, x, batch, beat_onehot, offset: int = 0):
        return self.temporal(self.cross(x, batch, self.dense(beat_onehot, offset), offset), batch, offset=offset)
