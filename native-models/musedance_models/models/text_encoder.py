"""CLIP text transformer with HF CLIPTextModel's layout (names without the `text_model.` prefix).

Causal self-attention, pre-LayerNorm, quick-GELU; the output is the final-layer-normed hidden states of all 77
positions (what SD1.5 cross-attends to)."""
import torch
from torch import nn

from ..config import TextConfig
from .attention import attention


class ClipAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(dim, dim) for _ in range(4))

    def forward(self, x, mask):
        b, n, c = x.shape
        split = lambda t: t.reshape(b, n, self.heads, c // self.heads).transpose(1, 2)
        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        scores = (q @ k.transpose(-1, -2)) * (c // self.heads) ** -0.5 + mask
        out = scores.softmax(-1) @ v
        return self.out_proj(out.transpose(1, 2).reshape(b, n, c))


class ClipMlp(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(dim, inner), nn.Linear(inner, dim)

    def forward(self, x):
        h = self.fc1(x)
        return self.fc2(h * torch.sigmoid(1.702 * h))  # quick_gelu, as CLIP


class ClipLayer(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.self_attn = ClipAttention(cfg.hidden_size, cfg.num_heads)
        self.layer_norm1 = nn.LayerNorm(cfg.hidden_size)
        self.mlp = ClipMlp(cfg.hidden_size, cfg.intermediate_size)
        self.layer_norm2 = nn.LayerNorm(cfg.hidden_size)

    def forward(self, x, mask):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class ClipEmbeddings(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.token_embedding = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.position_embedding = nn.Embedding(cfg.max_length, cfg.hidden_size)
        self.register_buffer("position_ids", torch.arange(cfg.max_length)[None], persistent=False)

    def forward(self, ids):
        return self.token_embedding(ids) + self.position_embedding(self.position_ids[:, : ids.shape[1]])


class ClipEncoder(nn.Module):
    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.layers = nn.ModuleList([ClipLayer(cfg) for _ in range(cfg.num_layers)])


class ClipTextEncoder(nn.Module):
    """input_ids int64 (B, 77) -> text_embeds (B, 77, hidden_size)."""

    def __init__(self, cfg: TextConfig):
        super().__init__()
        self.cfg = cfg
        self.embeddings = ClipEmbeddings(cfg)
        self.encoder = ClipEncoder(cfg)
        self.final_layer_norm = nn.LayerNorm(cfg.hidden_size)
        causal = torch.full((cfg.max_length, cfg.max_length), -1e9).triu(1)
        self.register_buffer("causal_mask", causal, persistent=False)

    def forward(self, input_ids):
        n = input_ids.shape[1]
        x = self.embeddings(input_ids)
        mask = self.causal_mask[:n, :n]
        for layer in self.encoder.layers:
            x = layer(x, mask)
        return self.final_layer_norm(x)
