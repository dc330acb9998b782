"""Segment audio slicing and the AST fbank (PACK.md "Audio"). The fbank is computed outside the ONNX graph with
torchaudio's Kaldi-compatible implementation so the TypeScript side can reproduce it bit-for-bit-ish."""
import numpy as np
import torch
import torchaudio

from .config import AudioConfig

SAMPLE_RATE_HZ = 16000


def segment_audio(wave: np.ndarray, start_sec: float, num_samples: int) -> np.ndarray:
    """Samples [round(start*16k), +num_samples), zeros where the song has none (before 0 or after its end)."""
    start = int(round(start_sec * SAMPLE_RATE_HZ))
    out = np.zeros(num_samples, dtype=np.float32)
    lo, hi = max(start, 0), min(start + num_samples, len(wave))
    if hi > lo:
        out[lo - start: hi - start] = wave[lo:hi]
    return out


def raw_fbank(wave: np.ndarray, num_mel_bins: int = 128) -> torch.Tensor:
    w = torch.from_numpy(np.ascontiguousarray(wave, dtype=np.float32))[None]
    return torchaudio.compliance.kaldi.fbank(
        w, htk_compat=True, sample_frequency=SAMPLE_RATE_HZ, use_energy=False, window_type="hanning",
        num_mel_bins=num_mel_bins, dither=0.0, frame_shift=10, frame_length=25)


def fbank_features(wave: np.ndarray, cfg: AudioConfig) -> np.ndarray:
    """(fbank_frames, num_mel_bins) float32: fbank, zero-padded/truncated to fbank_frames, then AST-normalised."""
    fb = raw_fbank(wave, cfg.num_mel_bins)
    n = fb.shape[0]
    if n < cfg.fbank_frames:
        fb = torch.nn.functional.pad(fb, (0, 0, 0, cfg.fbank_frames - n))
    fb = fb[: cfg.fbank_frames]
    return ((fb - cfg.norm_mean) / (2.0 * cfg.norm_std)).numpy().astype(np.float32)
