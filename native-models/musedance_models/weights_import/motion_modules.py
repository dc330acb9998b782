"""AnimateDiff-layout motion modules (AnimateDiff v1/v2 `mm_sd_v15*.ckpt|safetensors`, Moore-AnimateAnyone's
`motion_module.pth`) -> MuseDance's motion modules (`UNetConfig.motion_layout = "animatediff"`).

Published layout (guoyww/AnimateDiff animatediff/models/motion_module.py and configs/inference/inference-v1/v2.yaml,
Moore-AnimateAnyone src/models/unet_3d.py, which merges the same names into its UNet; commits in
tests/fixtures/published_layouts.py): one `VanillaTemporalModule` after every resnet(+attention) of every UNet level,
`{down_blocks.i|up_blocks.i|mid_block}.motion_modules.j.temporal_transformer.` +
  norm (GroupNorm 32, eps 1e-6), proj_in / proj_out (Linear C->C), transformer_blocks.0.attention_blocks.{0,1}
  (to_q/to_k/to_v without bias, to_out.0, pos_encoder.pe (1, max_len, C)), norms.{0,1}, ff.net.0.proj (8C x C),
  ff.net.2 (C x 4C), ff_norm. v1: max_len 24, no mid-block module; v2 (and Moore-AnimateAnyone): max_len 32 and
  mid_block.motion_modules.0.

Mapping: ours `<level>.stage2.j.motion.temporal_transformer.*` <-> `<level>.motion_modules.j.temporal_transformer.*`.
MuseDance has stage-2 modules only at the levels with spatial attention (unet.py), so the published modules of
the other levels (SD1.5: down_blocks.3, up_blocks.0) are listed as ignored, with that reason. A v1 file has no
mid-block module: ours stays freshly initialised (an identity: proj_out starts at zero) and is reported as fresh.

Position tables. AnimateDiff's `pe` is not learned: it is the sinusoidal table of its PositionalEncoding
(sin on even, cos on odd channels, 10000^(-2i/C)), 24 rows in v1 and 32 in v2, while a MuseDance sequence is M motion
frames + K frames (50 at K=48) and our table has `max_frames` rows. Extension = SINUSOIDAL RECOMPUTATION: the
published rows are kept verbatim and rows len..max_frames-1 are computed with the same formula (not interpolated:
interpolating would move every frame's position and change what the trained attention sees for frames 0..len-1).
The report records how far the published rows are from the formula (0 up to fp16 rounding for the released
files; a file whose table was altered is still extended the same way, and the deviation is reported).
What this does not buy: the attention weights were trained on 16-frame clips, so frame distances above ~16 were
never seen. With the sd15 default `temporal_window = 4` each frame attends only to frames at most 4 (+M) away,
inside the trained range; the absolute positions of frames past row len are new to the module either way."""
import re
from typing import Optional, Tuple

import torch

from ..models.attention import sinusoidal_positions

_OURS = re.compile(r"^(down_blocks\.\d+|up_blocks\.\d+|mid_block)\.stage2\.(\d+)\.motion\.(temporal_transformer\..+)$")
_THEIRS = re.compile(r"^(down_blocks\.\d+|up_blocks\.\d+|mid_block)\.motion_modules\.(\d+)\.(temporal_transformer\..+)$")
PE_SUFFIX = ".pos_encoder.pe"
EXTENSION_METHOD = "sinusoidal recomputation (published rows kept, later rows from the same sin/cos formula)"


def is_motion_key(ours: str) -> bool:
    return _OURS.match(ours) is not None


def motion_key(ours: str) -> Optional[str]:
    """Our motion-module key -> the published name; None for every other key."""
    m = _OURS.match(ours)
    return f"{m.group(1)}.motion_modules.{m.group(2)}.{m.group(3)}" if m else None


def motion_key_for(source_keys) -> "callable":
    """motion_key, except that a file without a mid-block module (AnimateDiff v1) leaves ours fresh."""
    if any(k.startswith("mid_block.motion_modules.") for k in source_keys):
        return motion_key
    return lambda ours: None if ours.startswith("mid_block.") else motion_key(ours)


def published_level(key: str) -> Optional[str]:
    m = _THEIRS.match(key)
    return m.group(1) if m else None


def extend_positions(table: torch.Tensor, rows: int) -> Tuple[torch.Tensor, float]:
    """(1, L, C) published table -> (1, rows, C); returns (table, max |published - formula|)."""
    length, ch = table.shape[1], table.shape[2]
    formula = sinusoidal_positions(max(rows, length), ch)[None]
    deviation = 0.0 if table.is_meta or not length else float((table.float() - formula[:, :length]).abs().max())
    if length >= rows:
        return table[:, :rows].clone(), deviation
    tail = formula[:, length:rows].to(table.device) if not table.is_meta else torch.empty(1, rows - length, ch, device="meta")
    return torch.cat([table.float(), tail], dim=1).to(table.dtype), deviation
