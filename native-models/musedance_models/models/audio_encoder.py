"""Audio Spectrogram Transformer with HF ASTModel's layout (names without the `audio_spectrogram_transformer.`
prefix). Input: the normalised Kaldi fbank (B, fbank_frames, 128) computed OUTSIDE the graph
(`musedance_models.audio_features.segment_fbank`, PACK.md "Audio"). Output: all tokens (CLS, distillation,
patches) after the final LayerNorm: (B, num_tokens, hidden_size) — the music embedding c_music of paper 3.3."""
import torch
from torch import nn

from ..config import AudioConfig
from .attention import attention


class AstSelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        split = lambda t: t.reshape(b, n, self.heads, c // self.heads).transpose(1, 2)
        out = attention(split(self.query(x)), split(self.key(x)), split(self.value(x)))
        return out.transpose(1, 2).reshape(b, n, c)


class AstDense(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.dense = nn.Linear(cin, cout)


class AstAttentionBlock(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.attention = AstSelfAttention(dim, heads)
        self.output = AstDense(dim, dim)


class AstLayer(nn.Module):
    def __init__(self, cfg: AudioConfig):
        super().__init__()
        d = cfg.hidden_size
        self.attention = AstAttentionBlock(d, cfg.num_heads)
        self.intermediate = AstDense(d, cfg.intermediate_size)
        self.output = AstDense(cfg.intermediate_size, d)
        self.layernorm_before = nn.LayerNorm(d, eps=1e-12)
        self.layernorm_after = nn.LayerNorm(d, eps=1e-12)

    def forward(self, x):
        x = x + self.attention.output.dense(self.attention.attention(self.layernorm_before(x)))
        h = nn.functional.gelu(self.intermediate.dense(self.layernorm_after(x)))
        return x + self.output.dense(h)


class AstPatchEmbeddings(nn.Module):
    def __init__(self, cfg: AudioConfig):
        super().__init__()
        self.projection = nn.Conv2d(1, cfg.hidden_size, cfg.patch_size, stride=cfg.patch_stride)


class AstEmbeddings(nn.Module):
    def __init__(self, cfg: AudioConfig):
        super().__init__()
        d = cfg.hidden_size
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.distillation_token = nn.Parameter(torch.zeros(1, 1, d))
        self.position_embeddings = nn.Parameter(torch.randn(1, cfg.num_tokens, d) * 0.02)
        self.patch_embeddings = AstPatchEmbeddings(cfg)

    def forward(self, fbank):
        x = fbank.unsqueeze(1).transpose(2, 3)               # (B, 1, mel, time), as HF AST
        x = self.patch_embeddings.projection(x).flatten(2).transpose(1, 2)
        b = x.shape[0]
        x = torch.cat([self.cls_token.expand(b, -1, -1), self.distillation_token.expand(b, -1, -1), x], dim=1)
        return x + self.position_embeddings


class AstEncoder(nn.Module):
    def __init__(self, cfg: AudioConfig):
        super().__init__()
        self.layer = nn.ModuleList([AstLayer(cfg) for _ in range(cfg.num_layers)])


class AstAudioEncoder(nn.Module):
    """fbank (B, fbank_frames, num_mel_bins) -> music_tokens (B, num_tokens, hidden_size)."""

    def __init__(self, cfg: AudioConfig):
        super().__init__()
        self.cfg = cfg
        self.embeddings = AstEmbeddings(cfg)
        self.encoder = AstEncoder(cfg)
        self.layernorm = nn.LayerNorm(cfg.hidden_size, eps=1e-12)

    def forward(self, fbank):
        x = self.embeddings(fbank)
        for layer in self.encoder.layer:
            x = layer(x)
        return self.layernorm(x)
