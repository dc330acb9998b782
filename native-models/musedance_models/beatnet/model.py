"""
BeatNet: a small temporal convolutional network (after Böck & Davies, "Deconstruct, analyse, reconstruct", ISMIR
2019 / Davies & Böck 2019's TCN) from the analysis service's log-mel frames to beat and downbeat activations.

Input `mel` [batch, frames, mel_bands] (features.ts normalisation), output `activations` [batch, frames, 2] =
sigmoid probabilities of (beat, downbeat) per frame. A convolutional front end reads each frame's spectrum
with a little temporal context, then residual blocks of non-causal dilated convolutions look `context_frames`
frames to each side. Everything is a convolution, so any length runs, and a chunk that carries `context_frames`
extra frames on each side gives exactly the whole-song result for its middle (the TypeScript side runs chunks).
The model owns its config (`BeatNetConfig`); the training recipe lives in native-models/recipes/.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn


@dataclass
class BeatNetConfig:
    mel_bands: int = 80
    frontend_channels: int = 64
    channels: int = 32
    kernel: int = 5
    dilations: list[int] = field(default_factory=lambda: [1, 2, 4, 8, 16, 32, 64, 128])
    dropout: float = 0.15

    @property
    def context_frames(self) -> int:
        """Frames each output depends on, on each side (front end 2 + every dilated conv)."""
        return 2 + sum((self.kernel - 1) // 2 * d for d in self.dilations)

    def to_dict(self) -> dict:
        return asdict(self)


class _Block(nn.Module):
    def __init__(self, ch: int, kernel: int, dilation: int, dropout: float):
        super().__init__()
        self.conv = nn.Conv1d(ch, ch, kernel, padding=(kernel - 1) // 2 * dilation, dilation=dilation)
        self.act = nn.ELU()
        self.drop = nn.Dropout(dropout)
        self.mix = nn.Conv1d(ch, ch, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.mix(self.drop(self.act(self.conv(x))))


class BeatNet(nn.Module):
    def __init__(self, cfg: BeatNetConfig | None = None):
        super().__init__()
        self.cfg = cfg = cfg or BeatNetConfig()
        # Each frame's spectrum with one frame of context each side, mel bands as input channels (a 2-D
        # time-frequency front end, measured here, took 3x the CPU time of the whole rest; not compared for accuracy).
        self.frontend = nn.Sequential(
            nn.Conv1d(cfg.mel_bands, cfg.frontend_channels, 3, padding=1), nn.ELU(), nn.Dropout(cfg.dropout),
            nn.Conv1d(cfg.frontend_channels, cfg.channels, 3, padding=1), nn.ELU(),
        )
        self.blocks = nn.Sequential(*[_Block(cfg.channels, cfg.kernel, d, cfg.dropout) for d in cfg.dilations])
        self.head = nn.Conv1d(cfg.channels, 2, 1)

    def logits(self, mel: torch.Tensor) -> torch.Tensor:
        """[B, T, bands] -> [B, T, 2] logits."""
        x = self.frontend(mel.transpose(1, 2))  # [B, C, T]
        x = self.blocks(x)
        return self.head(x).transpose(1, 2)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.logits(mel))


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
