"""
Reads a built beat corpus (`corpus.py` clips + `scripts/beat-features.ts` features) for training and evaluation:
features [frames, mel_bands] float32 and per-frame beat/downbeat targets at the features' frame rate.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# What the features were made with must match what the network is trained for (features.ts BEAT_NET_FEATURES).
EXPECTED_FEATURES = {'sampleRate': 22050, 'hopSamples': 512, 'version': 1}


@dataclass
class Clip:
    id: str
    split: str
    family: str
    soundfont: str
    mel: np.ndarray  # [T, bands] float32
    beats: np.ndarray  # seconds
    downbeats: np.ndarray


def feature_params(corpus: Path) -> dict:
    path = corpus / 'features.json'
    if not path.exists():
        raise FileNotFoundError(f'{corpus} has no features.json: run `npx tsx scripts/beat-features.ts {corpus}` first')
    params = json.loads(path.read_text())
    for k, v in EXPECTED_FEATURES.items():
        if params.get(k) != v:
            raise ValueError(f'{path}: {k} is {params.get(k)}, this code expects {v}')
    return params


def load_clips(corpus: Path, split: str | None = None, skip: set[str] | None = None) -> list[Clip]:
    """Every clip that has both its json and its features (a corpus still being built yields what exists)."""
    params = feature_params(corpus)
    bands = int(params['melBands'])
    out = []
    for meta_path in sorted(corpus.glob('clip*.json')):
        cid = meta_path.stem
        feat = corpus / f'{cid}.mel.f32'
        if (skip and cid in skip) or not feat.exists():
            continue
        meta = json.loads(meta_path.read_text())
        if split and meta['split'] != split:
            continue
        mel = np.fromfile(feat, dtype='<f4').reshape(-1, bands)
        out.append(Clip(cid, meta['split'], meta['family'], meta['soundfont'], mel,
                        np.asarray(meta['beats'], dtype=np.float64), np.asarray(meta['downbeats'], dtype=np.float64)))
    return out


def frame_targets(times: np.ndarray, frames: int, fps: float) -> np.ndarray:
    """1 at the frame nearest each time, 0.5 on its two neighbours (a beat between frames is not a miss)."""
    y = np.zeros(frames, dtype=np.float32)
    idx = np.round(times * fps).astype(np.int64)
    idx = idx[(idx >= 0) & (idx < frames)]
    for d in (-1, 1):
        j = idx + d
        j = j[(j >= 0) & (j < frames)]
        y[j] = np.maximum(y[j], 0.5)
    y[idx] = 1.0
    return y
