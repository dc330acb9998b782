"""Beat alignment score (BAS) between a generated video's motion and the music's beats.

Follows Bailando's BAS (Siyao et al. 2022): for every music beat t_m,
    exp(-min_k (t_k - t_m)^2 / (2 sigma^2))
averaged over music beats, where t_k are kinematic (motion) beats. Bailando gets kinematic beats from
joint-velocity minima; a generated video has no skeleton, so the motion signal here is the frame difference:
motion(j) = mean |frame[j+1] - frame[j-1]| / 2 (a central difference, so a minimum sits on frame j, not
between frames), smoothed with a Gaussian of `smoothing_frames`, and the kinematic beats are its strict
local minima at times j / fps. Bailando's sigma is 3 frames at 60 fps = 0.05 s (`sigma_sec`).
"""
from typing import Sequence

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.signal import argrelextrema

BAILANDO_SIGMA_SEC = 3.0 / 60.0


def motion_curve(frames: np.ndarray) -> np.ndarray:
    """Central-difference motion magnitude for frames 1..T-2 of a T x H x W x C video (length T-2)."""
    frames = np.asarray(frames, dtype=np.float64)
    if frames.ndim not in (3, 4) or frames.shape[0] < 3:
        raise ValueError(f"expected a video of at least 3 frames (T x H x W [x C]), got shape {frames.shape}")
    diff = np.abs(frames[2:] - frames[:-2]) / 2.0
    return diff.reshape(diff.shape[0], -1).mean(axis=1)


def motion_beat_times(frames: np.ndarray, fps: float, smoothing_frames: float = 1.0) -> np.ndarray:
    """Times (seconds) of kinematic beats: local minima of the smoothed motion curve."""
    if fps <= 0:
        raise ValueError("fps must be positive")
    curve = motion_curve(frames)
    if smoothing_frames > 0:
        curve = gaussian_filter1d(curve, smoothing_frames, mode="nearest")
    minima = argrelextrema(curve, np.less)[0]
    return (minima + 1) / float(fps)  # curve index i is frame i + 1


def beat_alignment_score(frames: np.ndarray, beat_times_sec: Sequence[float], fps: float,
                         sigma_sec: float = BAILANDO_SIGMA_SEC, smoothing_frames: float = 1.0) -> float:
    """BAS in [0, 1]: 1 when every music beat has a motion beat on it. Music beats outside the video's
    span of analysable frames (frame 1 .. T-2) are ignored; 0.0 when the video has no motion beat."""
    motion_beats = motion_beat_times(frames, fps, smoothing_frames)
    first_sec, last_sec = 1.0 / fps, (len(frames) - 2) / fps
    music_beats = np.asarray([t for t in beat_times_sec if first_sec <= t <= last_sec], dtype=np.float64)
    if music_beats.size == 0:
        raise ValueError("no music beat falls inside the video")
    if motion_beats.size == 0:
        return 0.0
    nearest_sq = ((music_beats[:, None] - motion_beats[None, :]) ** 2).min(axis=1)
    return float(np.mean(np.exp(-nearest_sq / (2.0 * sigma_sec ** 2))))
