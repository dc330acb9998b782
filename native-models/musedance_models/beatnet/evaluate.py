"""
Held-out figures for the beat network: activations -> beat/downbeat times by simple peak picking (the studio
decodes with its bar-pointer DBN, which does better; this is the network's own floor), scored with mir_eval
(beat F-measure at +/-70 ms, CMLt, AMLt; downbeat F-measure).
"""
from __future__ import annotations

import numpy as np


def pick_peaks(act: np.ndarray, fps: float, threshold: float = 0.4, min_gap_s: float = 0.25) -> np.ndarray:
    """Local maxima above `threshold`, at least `min_gap_s` apart (the stronger wins), as seconds."""
    n = len(act)
    if n == 0:
        return np.zeros(0)
    left = np.concatenate([[-np.inf], act[:-1]])
    right = np.concatenate([act[1:], [-np.inf]])
    cand = np.where((act >= left) & (act > right) & (act >= threshold))[0]
    gap = max(1, int(round(min_gap_s * fps)))
    chosen: list[int] = []
    for i in sorted(cand, key=lambda i: -act[i]):
        if all(abs(i - j) >= gap for j in chosen):
            chosen.append(i)
    return np.asarray(sorted(chosen), dtype=np.float64) / fps


def score_clip(act: np.ndarray, fps: float, beats: np.ndarray, downbeats: np.ndarray) -> dict:
    import mir_eval

    est_b = pick_peaks(act[:, 0], fps)
    est_d = pick_peaks(act[:, 1], fps, min_gap_s=0.6)
    ref_b = mir_eval.beat.trim_beats(beats)
    ref_d = mir_eval.beat.trim_beats(downbeats)
    est_b, est_d = mir_eval.beat.trim_beats(est_b), mir_eval.beat.trim_beats(est_d)
    cmlc, cmlt, amlc, amlt = mir_eval.beat.continuity(ref_b, est_b)
    return {'beat_f': float(mir_eval.beat.f_measure(ref_b, est_b)), 'cmlt': float(cmlt), 'amlt': float(amlt),
            'downbeat_f': float(mir_eval.beat.f_measure(ref_d, est_d))}


def mean_scores(rows: list[dict]) -> dict:
    keys = ['beat_f', 'cmlt', 'amlt', 'downbeat_f']
    return {k: round(float(np.mean([r[k] for r in rows])), 4) for k in keys} if rows else {}
