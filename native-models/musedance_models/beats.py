"""The one beat -> frame rule (PACK.md "Beats"), shared by training data and documented for the TS engine."""
import math
from typing import Iterable

import numpy as np


def beat_frame(beat_sec: float, segment_start_sec: float, fps: float) -> int:
    """floor((beatSec - segmentStartSec) * fps + 0.5), in float64."""
    return int(math.floor((float(beat_sec) - float(segment_start_sec)) * float(fps) + 0.5))


def beat_onehot(beat_times_sec: Iterable[float], segment_start_sec: float, fps: float, num_frames: int) -> np.ndarray:
    """float32 (num_frames,) with 1 at every frame a beat rounds to."""
    out = np.zeros(num_frames, dtype=np.float32)
    for b in beat_times_sec:
        f = beat_frame(b, segment_start_sec, fps)
        if 0 <= f < num_frames:
            out[f] = 1.0
    return out
