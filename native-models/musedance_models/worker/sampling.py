"""One preview segment with PyTorch (what the worker's `sample` renders): PACK.md's sampling recipe run on the
training model itself — CLIP text (prompt and empty prompt), AST music tokens of the segment's audio, the beat
one-hot, ReferenceNet features of the reference image, the reference latent repeated M times standing in for
the previous frames (first segment), DDIM with classifier-free guidance in one batch of 2, VAE decode."""
import os
import wave
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import torch
from PIL import Image

from ..audio_features import SAMPLE_RATE_HZ, fbank_features, segment_audio
from ..beats import beat_onehot
from ..data.loader import to_unit
from ..schedulers.ddim import DDIMScheduler


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
def sample_segment(model, tokenizer, cfg, reference_rgb: np.ndarray, song: np.ndarray, audio_start_sec: float,
                   beat_times_sec: Sequence[float], prompt: str, num_steps: int, guidance_scale: float, seed: int,
                   should_cancel: Callable[[], bool] = lambda: False) -> Optional[np.ndarray]:
    """-> uint8 frames (K, H, W, 3), or None when cancelled between DDIM steps."""
    was_training = {name: m.training for name, m in model.named_children()}
    model.eval()
    try:
        k, m = cfg.frames_per_segment, cfg.motion_frames
        ids = torch.tensor([tokenizer.encode(prompt), tokenizer.encode("")])
        text = model.text_encoder(ids)                                             # row 0 cond, row 1 uncond
        fbank = torch.from_numpy(fbank_features(segment_audio(song, audio_start_sec, cfg.segment_samples), cfg.audio))
        music = model.audio_encoder(fbank[None])
        music = torch.cat([music, torch.zeros_like(music)])
        beats = torch.from_numpy(beat_onehot(beat_times_sec, audio_start_sec, cfg.fps, k))[None]
        beats = torch.cat([beats, torch.zeros_like(beats)])
        ref = model.vae.encode_scaled(torch.from_numpy(to_unit(reference_rgb[None])))
        feats = model.reference_net(ref, text[:1])
        motion = ref[:, None].repeat(2, m, 1, 1, 1)
        scheduler = DDIMScheduler(cfg.num_train_timesteps, cfg.beta_start, cfg.beta_end)
        scheduler.set_timesteps(num_steps)
        generator = torch.Generator().manual_seed(seed)
        h, w = cfg.latent_hw
        latents = torch.randn((k, cfg.vae.latent_channels, h, w), generator=generator) * scheduler.init_noise_sigma
        for t in scheduler.timesteps:
            if should_cancel():
                return None
            batch = latents[None].repeat(2, 1, 1, 1, 1)
            eps = model.unet(batch, torch.tensor([float(t)]), text, feats, music, beats, motion)
            eps = eps[1] + guidance_scale * (eps[0] - eps[1])
            latents = scheduler.step(eps, int(t), latents)
        frames = torch.cat([model.vae.decode_scaled(latents[i:i + 1]) for i in range(k)])
        return ((frames.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()
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
