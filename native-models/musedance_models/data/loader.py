"""Reads a DATASET.md folder into memory and draws stage-1 / stage-2 training samples.

Malformed datasets raise DatasetError naming the clip and the problem."""
import json
import os
import re
import wave
from dataclasses import dataclass
from typing import Dict, List

import numpy as np
from PIL import Image

from ..beats import beat_onehot

CLIP_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class DatasetError(ValueError):
    pass


@dataclass
class Clip:
    clip_id: str
    frames: np.ndarray        # (N, H, W, 3) uint8
    audio: np.ndarray         # (S,) float32 at 16 kHz
    beat_times_sec: np.ndarray
    caption: str
    meta: dict


def read_wav(path: str) -> np.ndarray:
    with wave.open(path, "rb") as w:
        if w.getframerate() != 16000 or w.getnchannels() != 1:
            raise DatasetError(f"{path}: audio must be 16 kHz mono (got {w.getframerate()} Hz, {w.getnchannels()} ch)")
        width, n = w.getsampwidth(), w.getnframes()
        raw = w.readframes(n)
    if width == 2:
        return np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
    if width == 4:
        return np.frombuffer(raw, "<f4").astype(np.float32)
    raise DatasetError(f"{path}: unsupported sample width {width}")


def load_clip(root: str, clip_id: str, fps: float, height: int, width: int) -> Clip:
    if not CLIP_ID.match(clip_id):
        raise DatasetError(f"bad clip id {clip_id!r}")
    d = os.path.join(root, "clips", clip_id)
    try:
        with open(os.path.join(d, "meta.json")) as f:
            meta = json.load(f)
        with open(os.path.join(d, "beats.json")) as f:
            beats = np.asarray(json.load(f)["beatTimesSec"], dtype=np.float64)
        with open(os.path.join(d, "caption.txt"), encoding="utf-8") as f:
            caption = f.read().strip()
    except (OSError, ValueError, KeyError) as e:
        raise DatasetError(f"clip {clip_id}: {e}") from None
    if len(beats) > 1 and np.any(np.diff(beats) <= 0):
        raise DatasetError(f"clip {clip_id}: beat times are not ascending")
    n = int(meta.get("numFrames", 0))
    if n < 2:
        raise DatasetError(f"clip {clip_id}: needs at least 2 frames (numFrames={n})")
    frames = np.zeros((n, height, width, 3), np.uint8)
    for i in range(n):
        p = os.path.join(d, "frames", f"{i:06d}.png")
        try:
            im = np.asarray(Image.open(p).convert("RGB"))
        except (OSError, ValueError) as e:
            raise DatasetError(f"clip {clip_id}: frame {i}: {e}") from None
        if im.shape != (height, width, 3):
            raise DatasetError(f"clip {clip_id}: frame {i} is {im.shape[1]}x{im.shape[0]}, expected {width}x{height}")
        frames[i] = im
    audio = read_wav(os.path.join(d, "audio.wav"))
    need = int(round(n / fps * 16000))
    if len(audio) < need:
        audio = np.pad(audio, (0, need - len(audio)))
    return Clip(clip_id, frames, audio, beats, caption, meta)


class Dataset:
    def __init__(self, root: str, split: str, fps: float, height: int, width: int, limit: int = None):
        try:
            with open(os.path.join(root, "dataset.json")) as f:
                self.info = json.load(f)
        except (OSError, ValueError) as e:
            raise DatasetError(f"{root}: cannot read dataset.json: {e}") from None
        if self.info.get("version") != 1:
            raise DatasetError(f"{root}: unsupported dataset version {self.info.get('version')}")
        if float(self.info["fps"]) != float(fps) or self.info["height"] != height or self.info["width"] != width:
            raise DatasetError(f"{root}: dataset is {self.info['width']}x{self.info['height']} at {self.info['fps']} fps, "
                               f"the model needs {width}x{height} at {fps} fps")
        ids = self.info["splits"].get(split, [])
        self.clips: List[Clip] = [load_clip(root, c, fps, height, width) for c in ids[:limit]]
        self.fps = fps

    def captions(self) -> List[str]:
        return [c.caption for c in self.clips]


def to_unit(frames_uint8: np.ndarray) -> np.ndarray:
    """uint8 HWC -> float32 CHW in [-1, 1]."""
    return (frames_uint8.astype(np.float32) / 127.5 - 1.0).transpose(*range(frames_uint8.ndim - 3), -1, -3, -2)
