"""One preview segment with PyTorch (what the worker's `sample` renders): PACK.md's sampling recipe run on the
training model itself — CLIP text (prompt and empty prompt), AST music tokens of the segment's audio, the beat
one-hot, ReferenceNet features of the reference image, the reference latent repeated M times standing in for
the previous frames (first segment), then pipeline.py's DDIM with classifier-free guidance in one batch of 2 and
VAE decode."""
import os
import wave
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import torch
from PIL import Image

from ..audio_features import SAMPLE_RATE_HZ, segment_audio
from ..beats import beat_onehot
from ..data.loader import to_unit
from ..pipeline import decode_frames, music_for, sample_segment


class SampleInputError(ValueError):
    """A sample input file cannot be used (message names it)."""


def load_image(path: str, height: int, width: int) -> np.ndarray:
    try:
        with Image.open(path) as img:
            img = img.convert("RGB")
            if img.size != (width, height):
                img = img.resize((width, height), Image.BICUBIC)
            return np.asarray(img, dtype=np.uint8)
    except OSError as err:
        raise SampleInputError(f"cannot read reference image {path}: {err}") from None


def load_wav_mono_16k(path: str) -> np.ndarray:
    try:
        with wave.open(path, "rb") as handle:
            rate, channels, width, count = (handle.getframerate(), handle.getnchannels(), handle.getsampwidth(),
                                             handle.getnframes())
            raw = handle.readframes(count)
    except (OSError, EOFError, wave.Error) as err:
        raise SampleInputError(f"cannot read WAV {path}: {err}") from None
    if width == 2:
        samples = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
    elif width == 4:
        samples = np.frombuffer(raw, "<f4").astype(np.float32)
    else:
        raise SampleInputError(f"{path}: unsupported WAV sample width {width} bytes (use 16-bit PCM)")
    samples = samples.reshape(-1, channels).mean(axis=1)
    if rate != SAMPLE_RATE_HZ:  # linear resampling is enough for a preview
        duration = len(samples) / rate
        target = np.arange(int(duration * SAMPLE_RATE_HZ)) / SAMPLE_RATE_HZ
        samples = np.interp(target, np.arange(len(samples)) / rate, samples).astype(np.float32)
    return samples


def write_wav_16k(path: str, samples: np.ndarray) -> None:
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(path, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE_HZ)
        handle.writeframes(pcm.tobytes())


@torch.no_grad()
def sample_preview(model, tokenizer, cfg, reference_rgb: np.ndarray, song: np.ndarray, audio_start_sec: float,
                   beat_times_sec: Sequence[float], prompt: str, num_steps: int, guidance_scale: float, seed: int,
                   should_cancel: Callable[[], bool] = lambda: False) -> Optional[np.ndarray]:
    """-> uint8 frames (K, H, W, 3), or None when cancelled between DDIM steps. Builds the conditioning; the
    DDIM + CFG loop and the decode are pipeline.py's (the one PyTorch sampler)."""
    was_training = {name: m.training for name, m in model.named_children()}
    model.eval()
    try:
        k, m = cfg.frames_per_segment, cfg.motion_frames
        text_cond = model.text_encoder(torch.tensor([tokenizer.encode(prompt)]))
        text_uncond = model.text_encoder(torch.tensor([tokenizer.encode("")]))
        music = music_for(model, segment_audio(song, audio_start_sec, cfg.segment_samples))
        beats = torch.from_numpy(beat_onehot(beat_times_sec, audio_start_sec, cfg.fps, k))
        ref = model.vae.encode_scaled(torch.from_numpy(to_unit(reference_rgb[None])))
        motion = ref[:, None].repeat(1, m, 1, 1, 1)   # first segment: the reference stands in for the previous frames
        h, w = cfg.latent_hw
        noise = torch.randn((k, cfg.vae.latent_channels, h, w), generator=torch.Generator().manual_seed(seed))
        latents = sample_segment(model, ref, text_cond, text_uncond, music, beats, motion, noise, num_steps,
                                 guidance_scale, should_cancel=should_cancel)
        if latents is None:
            return None
        return ((decode_frames(model, latents) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()
    finally:
        for name, child in model.named_children():
            child.train(was_training[name])


def write_sample(out_dir: str, frames: np.ndarray, song: np.ndarray, audio_start_sec: float, cfg) -> Dict[str, object]:
    os.makedirs(out_dir, exist_ok=True)
    paths: List[str] = []
    for i, frame in enumerate(frames):
        path = os.path.join(out_dir, f"frame_{i:06d}.png")
        Image.fromarray(frame).save(path)
        paths.append(os.path.abspath(path))
    audio_path = os.path.abspath(os.path.join(out_dir, "audio.wav"))
    write_wav_16k(audio_path, segment_audio(song, audio_start_sec, cfg.segment_samples))
    return {"dir": os.path.abspath(out_dir), "frames": paths, "audioPath": audio_path, "fps": cfg.fps}
