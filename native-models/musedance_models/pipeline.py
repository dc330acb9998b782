"""PyTorch reference of what an inference engine does with a pack (PACK.md "Sampling one segment").

The ONNX graphs are thin wrappers around the same modules (export.py), so this file is the ground truth the
golden vectors come from."""
from typing import Callable, List, Optional

import numpy as np
import torch

from .audio_features import fbank_features
from .models.musedance import MuseDance
from .schedulers import DDIMScheduler


class UNetGraph(torch.nn.Module):
    """The exported denoiser: CFG batch of 2, ReferenceNet features as separate inputs."""

    def __init__(self, unet, num_refs: int):
        super().__init__()
        self.unet, self.num_refs = unet, num_refs

    def forward(self, latents, timestep, text_embeds, music_tokens, beat_onehot, motion_latents, *ref_feats):
        return self.unet(latents, timestep, text_embeds, list(ref_feats), music_tokens, beat_onehot, motion_latents)


class ReferenceNetGraph(torch.nn.Module):
    def __init__(self, reference_net):
        super().__init__()
        self.reference_net = reference_net

    def forward(self, ref_latents, text_embeds):
        return tuple(self.reference_net(ref_latents, text_embeds))


def ddim_for(cfg) -> DDIMScheduler:
    return DDIMScheduler(cfg.num_train_timesteps, cfg.beta_start, cfg.beta_end)


def cfg_rows(text_cond, text_uncond, music, beats, motion):
    """Row 0 conditional, row 1 unconditional (empty prompt, zero music, zero beats; motion kept)."""
    return (torch.cat([text_cond, text_uncond]), torch.cat([music, torch.zeros_like(music)]),
            torch.stack([beats, torch.zeros_like(beats)]), torch.cat([motion, motion]))


@torch.no_grad()
def sample_segment(model: MuseDance, ref_latents, text_cond, text_uncond, music, beats, motion, noise,
                   num_steps: int = 20, guidance_scale: float = 3.5, record: Optional[List] = None,
                   should_cancel: Callable[[], bool] = lambda: False):
    """ref_latents (1,C,h,w); text_* (1,77,D); music (1,L,Da); beats (K,); motion (1,M,C,h,w); noise (K,C,h,w).
    Returns final latents (K,C,h,w), or None when `should_cancel` says so before a step. `record` collects
    (timestep, latents after the step). The one PyTorch DDIM + CFG loop (the worker's previews, evaluation, golden
    vectors); the TypeScript engine's sampler.ts mirrors it."""
    sched = ddim_for(model.cfg)
    sched.set_timesteps(num_steps)
    feats = model.reference_net(ref_latents, text_cond)
    text, mus, bts, mot = cfg_rows(text_cond, text_uncond, music, beats, motion)
    lat = noise * sched.init_noise_sigma
    for t in sched.timesteps:
        if should_cancel():
            return None
        batch = torch.stack([lat, lat])
        ts = torch.tensor([float(t)])
        eps = model.unet(batch, ts, text, feats, mus, bts, mot)
        guided = eps[1] + guidance_scale * (eps[0] - eps[1])
        lat = sched.step(guided, int(t), lat)
        if record is not None:
            record.append((int(t), lat.clone()))
    return lat


@torch.no_grad()
def decode_frames(model: MuseDance, latents) -> torch.Tensor:
    """(K,C,h,w) scaled latents -> (K,3,H,W) in [-1,1], one frame per decoder run as the pack does."""
    return torch.cat([model.vae.decode_scaled(latents[i:i + 1]) for i in range(latents.shape[0])]).clamp(-1, 1)


def music_for(model: MuseDance, wave_segment: np.ndarray) -> torch.Tensor:
    return model.audio_encoder(torch.from_numpy(fbank_features(wave_segment, model.cfg.audio))[None])
