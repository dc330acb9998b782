"""Training library API: the tiny pack recipe and the studio's training worker both call `run()`.

    from musedance_models.train import TrainSpec, run
    result = run(TrainSpec(stage="stage1", dataset="/data/ds", out_dir="/runs/s1", init="/runs/vae/checkpoint.pt",
                           steps=2000, batch_size=16, lr=3e-4), on_event=print, should_stop=lambda: False)

Stages (`TrainSpec.stage`):
- "vae":    trains the VAE from scratch on single frames (L1 + MSE + 1e-6 KL); at the end the latent scaling
            factor is measured (1 / std of the latents) and stored in the checkpoint's config.
- "stage1": appearance pretraining (paper 3.2): a reference frame i and a target frame j, 0 < |i-j| <= window,
            of one clip; text; the UNet (spatial layers only) + ReferenceNet (+ the text encoder when
            `train_text_encoder`) learn to denoise the target. VAE frozen.
- "stage2": dynamic triggers (paper 3.3): windows of `train_frames` (<= K) consecutive frames with music, beats
            and the previous M frames; only the music/beat/motion modules (+ the audio encoder when
            `train_audio_encoder`) train; spatial attention and everything of stage 1 are frozen. Dropout 0.05
            inside the modules (config), Adam. A window shorter than K sits at a random position r of a K-frame
            segment: the audio is the whole segment's slice, beats use the segment's start time and the
            positional tables start at r, so the model sees exactly what inference feeds it.
Classifier-free dropout (stages 1 and 2): text -> empty prompt, music -> zero tokens, beats -> zeros, each with
probability `condition_drop_prob`, and all three together with the same probability (PACK.md "CFG").
Stage 2 replaces the previous M frames with the reference latent repeated (the first-segment stand-in) with
probability `first_segment_prob` and whenever the window starts before frame M.

`init`: a checkpoint of the previous stage (or a pack's weights.fp16.pt) whose models and config are loaded.
`out_dir/checkpoint.pt` holds models, optimizer, RNG states (torch, numpy, python), step, losses and the spec; it
is written atomically every `checkpoint_every_steps` steps or `checkpoint_every_sec` seconds, when
`should_stop()` turns true (checked between steps) and at the end. Calling `run()` again with the same spec and
out_dir resumes from it and produces the same losses as an uninterrupted run.

Events passed to `on_event(dict)`: {"event": "start", "stage", "step", "totalSteps", "resumed"},
{"event": "loss", "stage", "step", "loss"} (every `log_every` steps, mean over them),
{"event": "progress", "stage", "step", "totalSteps", "stepsPerSec"}, {"event": "checkpoint", "stage", "step",
"path"}, {"event": "done", "stage", "step", "checkpoint", "stopped"}. Returns the "done" event's dict.
Errors: DatasetError (bad dataset), TrainError (bad spec/incompatible init), both with a one-line message."""
import json
import os
import random
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Optional

import numpy as np
import torch
import torch.nn.functional as F

from .audio_features import fbank_features, segment_audio
from .beats import beat_onehot
from .checkpoint_io import load_own
from .config import CONFIGS, MuseDanceConfig
from .data.loader import Dataset, to_unit
from .models.musedance import MuseDance
from .scale.trainer_hooks import ScaleSetup
from .schedulers import DDPMScheduler


class TrainError(ValueError):
    pass


@dataclass
class TrainSpec:
    stage: str                              # "vae" | "stage1" | "stage2"
    dataset: str                            # DATASET.md folder
    out_dir: str                            # checkpoint.pt (+ tokenizer/ for stage 1 from scratch) go here
    steps: int                              # total optimiser steps of this stage
    config: object = "tiny"                 # config name or dict; ignored when `init` carries one
    init: Optional[str] = None              # previous stage's checkpoint.pt or a pack's weights.fp16.pt
    tokenizer_dir: Optional[str] = None     # CLIP vocab.json + merges.txt; None: train one on the captions
    batch_size: int = 8
    lr: float = 1e-4                        # paper: 1e-5 for SD1.5 fine-tuning; from-scratch tiny uses more
    seed: int = 0
    threads: int = 2
    window: int = 6                         # stage 1: max |i - j| between reference and target frames (paper w)
    train_frames: Optional[int] = None      # stage 2: frames per window (None: K)
    condition_drop_prob: float = 0.1
    first_segment_prob: float = 0.25
    train_text_encoder: bool = True         # from-scratch text encoder trains in stage 1
    train_audio_encoder: bool = True        # from-scratch audio encoder trains in stage 2
    use_music: bool = True                  # stage-2 ablation switches (paper Table 3)
    use_beat: bool = True
    use_motion: bool = True
    temporal_window: Optional[int] = None   # stage 2: sliding-window frame attention (UNetConfig); None keeps init's
    beat_window: Optional[int] = None       # stage 2: beat cross-attention window (UNetConfig); None keeps init's
    beat_offsets: Optional[int] = None      # stage 2: beat tokens encode nearby beats (UNetConfig); None keeps init's
    reference_guide: Optional[bool] = None  # stage 1: UNetConfig.reference_guide; None keeps init's
    frame_diff_loss: float = 0.0            # stage 2: weight of the frame-to-frame loss (`frame_difference_loss`)
    high_noise_weight_cap: float = 0.0      # stages 1, 2: > 0 weights the noise MSE by `high_noise_weights` (this cap)
    paired_noise: bool = False              # stage 2: noise and timesteps from a generator of their own (seeded by
                                            # `seed`), so ablation variants train on identical batches and their
                                            # losses pair step by step (off: the recipe's runs keep their stream)
    checkpoint_every_steps: int = 200
    checkpoint_every_sec: float = 180.0
    log_every: int = 10
    max_clips: Optional[int] = None
    vae_crop: Optional[int] = None          # vae stage: train on random square crops of this size (cheaper)
    latent_cache: Optional[str] = None      # file caching the frozen VAE's latents of the train clips (shared by runs)
    grad_clip: float = 1.0
    # issue 12 (musedance_models/scale/): the defaults change nothing
    device: str = "cpu"                     # "cpu" | "cuda" | "auto" (CUDA when available)
    mixed_precision: str = "no"             # "no" | "fp16" (CUDA, with a grad scaler) | "bf16" (CUDA or CPU)
    gradient_checkpointing: bool = False    # recompute UNet/ReferenceNet block activations in the backward pass
    lora_rank: int = 0                      # > 0: train only LoRA adapters (this rank) on the attention projections
    lora_alpha: Optional[float] = None      # LoRA scale numerator (None: the rank)


def frame_difference_loss(pred: torch.Tensor, noise: torch.Tensor, snr: torch.Tensor, snr_cap: float = 5.0):
    """MSE of the change from each frame to the next, predicted noise vs true noise ((b, k, c, h, w) tensors).

    Why: the per-frame noise MSE does not care whether a frame's error matches its neighbour's, so a model can
    score well while every frame picks its own pose (flicker), which hides any beat timing in the motion; the ground
    truth's frame-to-frame change is where its beats show (it drops to zero on each one). In x0 terms the error is
    this one divided by SNR(t); it is weighted by min(SNR, snr_cap) (min-SNR weighting), i.e. min(1, snr_cap / SNR)
    in noise terms, so nearly clean timesteps, where the pose is already fixed, count less."""
    err = pred - noise
    d = (err[:, 1:] - err[:, :-1]).pow(2).flatten(1).mean(1)
    w = torch.clamp(snr_cap / snr.to(d.dtype), max=1.0)
    return (w * d).mean()


def high_noise_weights(snr: torch.Tensor, cap: float) -> torch.Tensor:
    """Per-sample weights min(max(1, 1/SNR), cap) for the noise MSE: the x0 error weighted by max(SNR, 1)
    (Salimans & Ho's truncated-SNR weighting), capped.

    Why: at high noise the plain noise MSE charges an x0 error only SNR (< 0.1 above t ~ 700) times its size. So
    stage 1 never learns the high-noise mean the first DDIM steps start from (the subject's shape), and in stage 2
    the beats, which decide the pose exactly where it cannot be read from the noisy input, earn almost nothing.
    With these weights an x0 error costs its own size at every t with SNR < 1 (RESULTS.md, round 6)."""
    return torch.clamp(1.0 / snr, min=1.0, max=cap)


def _atomic_save(obj, path):
    tmp = f"{path}.{os.getpid()}.tmp"   # per process: DDP ranks may save the same shared cache at once
    torch.save(obj, tmp)
    os.replace(tmp, path)


def load_init(path: str):
    try:
        ck = load_own(path)
    except (OSError, RuntimeError, EOFError) as e:
        raise TrainError(f"cannot read init checkpoint {path}: {e}") from None
    if "state_dicts" in ck:   # pack weights file: a pack carries its tokenizer next to it (PACK.md)
        tokenizer_dir = ck.get("tokenizer_dir")
        beside = os.path.join(os.path.dirname(os.path.abspath(path)), "tokenizer")
        if not tokenizer_dir and os.path.isfile(os.path.join(beside, "vocab.json")):
            tokenizer_dir = beside
        return MuseDanceConfig.from_dict(ck["config"]), ck["state_dicts"], tokenizer_dir
    return MuseDanceConfig.from_dict(ck["config"]), ck["models"], ck.get("tokenizer_dir")


def tokenizer_for(spec: TrainSpec, captions, cfg: MuseDanceConfig, inherited: Optional[str]):
    from .tokenizer import ClipTokenizer, train_bpe
    d = spec.tokenizer_dir or inherited
    if d is None:
        d = os.path.join(spec.out_dir, "tokenizer")
        if not os.path.exists(os.path.join(d, "vocab.json")):
            os.makedirs(d, exist_ok=True)
            corpus = list(captions) + [""]
            train_bpe(corpus, cfg.text.vocab_size, d)
    return ClipTokenizer.from_dir(d), os.path.abspath(d)


class Trainer:
    def __init__(self, spec: TrainSpec):
        self.spec = spec
        torch.set_num_threads(spec.threads)
        if spec.stage not in ("vae", "stage1", "stage2"):
            raise TrainError(f"unknown stage {spec.stage!r}")
        self.tokenizer_dir = None
        states = None
        if spec.init:
            cfg, states, self.tokenizer_dir = load_init(spec.init)
        else:
            cfg = CONFIGS[spec.config]() if isinstance(spec.config, str) else MuseDanceConfig.from_dict(spec.config)
        cfg.unet.use_music, cfg.unet.use_beat, cfg.unet.use_motion = spec.use_music, spec.use_beat, spec.use_motion
        if spec.temporal_window is not None:
            cfg.unet.temporal_window = spec.temporal_window
        if spec.beat_window is not None:
            cfg.unet.beat_window = spec.beat_window
        if spec.beat_offsets is not None:
            cfg.unet.beat_offsets = spec.beat_offsets
        if spec.reference_guide is not None:
            cfg.unet.reference_guide = spec.reference_guide
        self.train_set = Dataset(spec.dataset, "train", cfg.fps, cfg.height, cfg.width, spec.max_clips)
        if not self.train_set.clips:
            raise TrainError(f"{spec.dataset}: the train split is empty")
        if spec.stage != "vae":
            self.tokenizer, self.tokenizer_dir = tokenizer_for(spec, self.train_set.captions(), cfg, self.tokenizer_dir)
            if states is None or "text_encoder" not in states or spec.stage == "stage1" and not spec.init:
                cfg.text.vocab_size = self.tokenizer.vocab_size
            elif self.tokenizer.vocab_size > cfg.text.vocab_size:
                raise TrainError("the tokenizer has more ids than the text encoder's embedding table")
        torch.manual_seed(spec.seed)
        self.cfg = cfg
        self.model = MuseDance(cfg)
        if states is not None:
            if "vae" in states and spec.stage != "vae":
                self.model.vae.load_state_dict({k: v.float() for k, v in states["vae"].items()})
            if spec.stage == "stage2" or spec.stage == "stage1" and "unet" in states:
                self.model.load_state_dicts(states, strict=False)
        self.noise_sched = DDPMScheduler(cfg.num_train_timesteps, cfg.beta_start, cfg.beta_end)
        self.scale = ScaleSetup(spec)   # device, mixed precision, checkpointing, LoRA, DDP: no-ops by default
        self.scale.prepare_model(self)
        self.device = self.scale.device
        self.rng = np.random.default_rng(spec.seed)
        # The global torch stream also feeds weight init and dropout, whose draws depend on which modules a variant
        # has, so variants drawing noise from it diverge at step 0 (RESULTS.md, round 8).
        self.noise_gen = torch.Generator().manual_seed(spec.seed) if spec.paired_noise else None
        self.step, self.losses = 0, []
        self._setup_trainable()
        self.scale.after_trainable(self)
        self.opt = torch.optim.Adam([p for p in self.model.parameters() if p.requires_grad], lr=spec.lr)
        self.ckpt_path = os.path.join(spec.out_dir, "checkpoint.pt")
        self.resumed, self.finished = False, False
        if os.path.exists(self.ckpt_path):
            self._resume()
        if spec.stage != "vae" and not self.finished:
            self._cache_latents()

    # -- parameters --------------------------------------------------------------------------------------
    def _setup_trainable(self):
        m, s = self.model, self.spec
        for p in m.parameters():
            p.requires_grad_(False)
        if s.stage == "vae":
            groups = [m.vae]
        elif s.stage == "stage1":
            groups = [m.unet, m.reference_net] + ([m.text_encoder] if s.train_text_encoder else [])
        else:
            groups = [m.audio_encoder] if s.train_audio_encoder else []
            for p in m.stage2_parameters():
                p.requires_grad_(True)
        for g in groups:
            for p in g.parameters():
                p.requires_grad_(True)
        if s.stage == "stage1":   # stage-2 modules do not run in stage 1
            for p in m.stage2_parameters():
                p.requires_grad_(False)

    # -- checkpoints ---------------------------------------------------------------------------------------
    def save(self, finished: bool = False):
        if not self.scale.is_rank0:   # distributed: rank 0 writes, every rank resumes from it
            return self.ckpt_path
        os.makedirs(self.spec.out_dir, exist_ok=True)
        _atomic_save({
            "finished": finished, "format": "musedance-checkpoint", "version": 1, "stage": self.spec.stage, "step": self.step,
            "spec": asdict(self.spec), "config": self.cfg.to_dict(), "models": self.model.state_dicts(),
            "optimizer": self.opt.state_dict(), "losses": self.losses, "tokenizer_dir": self.tokenizer_dir,
            "rng": {"torch": torch.get_rng_state(), "numpy": self.rng.bit_generator.state,
                    "python": random.getstate(),
                    "noise": self.noise_gen.get_state() if self.noise_gen is not None else None,
                    "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None},
        }, self.ckpt_path)
        return self.ckpt_path

    def _resume(self):
        ck = load_own(self.ckpt_path)
        if ck.get("stage") != self.spec.stage:
            raise TrainError(f"{self.ckpt_path} is a {ck.get('stage')} checkpoint, not {self.spec.stage}")
        self.cfg = MuseDanceConfig.from_dict(ck["config"])
        self.model.load_state_dicts(ck["models"])
        self.opt.load_state_dict(ck["optimizer"])
        self.step, self.losses = ck["step"], ck["losses"]
        torch.set_rng_state(ck["rng"]["torch"])
        self.rng.bit_generator.state = ck["rng"]["numpy"]
        random.setstate(ck["rng"]["python"])
        if self.noise_gen is not None and ck["rng"].get("noise") is not None:
            self.noise_gen.set_state(ck["rng"]["noise"])
        if ck["rng"].get("cuda") is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(ck["rng"]["cuda"])
        self.resumed = True
        self.finished = bool(ck.get("finished")) and self.step >= self.spec.steps   # more steps asked: train on

    # -- data ----------------------------------------------------------------------------------------------
    @torch.no_grad()
    def _cache_latents(self):
        self.model.vae.eval()
        ids = [c.clip_id for c in self.train_set.clips]
        sf = float(self.cfg.vae.scaling_factor)
        cache = self.spec.latent_cache
        self.latents = None
        if cache and os.path.exists(cache):
            data = load_own(cache)
            if data["clip_ids"] == ids and abs(data["scaling_factor"] - sf) < 1e-9:
                self.latents = [l.to(self.device) for l in data["latents"]]
        if self.latents is None:
            self.latents = []
            for clip in self.train_set.clips:
                x = torch.from_numpy(to_unit(clip.frames)).to(self.device)
                self.latents.append(torch.cat([self.model.vae.encode_scaled(x[i:i + 64]) for i in range(0, len(x), 64)]))
            if cache:
                _atomic_save({"clip_ids": ids, "scaling_factor": sf, "latents": [l.cpu() for l in self.latents]}, cache)
        self.text_ids = [torch.tensor(self.tokenizer.encode(c.caption), device=self.device) for c in self.train_set.clips]
        self.empty_ids = torch.tensor(self.tokenizer.encode(""), device=self.device)

    def _drop(self, b):
        p = self.spec.condition_drop_prob
        all_ = self.rng.random(b) < p
        return [(self.rng.random(b) < p) | all_ for _ in range(3)]   # text, music, beats

    def _vae_loss(self):
        clips = self.train_set.clips
        imgs = []
        for _ in range(self.spec.batch_size):
            c = clips[self.rng.integers(len(clips))]
            im = c.frames[self.rng.integers(len(c.frames))]
            if self.spec.vae_crop:
                cs = self.spec.vae_crop
                y0, x0 = (int(self.rng.integers(0, d - cs + 1)) for d in im.shape[:2])
                im = im[y0:y0 + cs, x0:x0 + cs]
            imgs.append(im)
        x = torch.from_numpy(to_unit(np.stack(imgs))).to(self.device)[self.scale.shard]   # this rank's share
        mean, logvar = self.model.vae.encode(x)
        eps = self.scale.randn_like_global(mean, self.spec.batch_size)   # randn_like(mean) when alone
        z = mean + eps * (0.5 * logvar).exp()
        rec = self.model.vae.decode(z)
        kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).mean()
        return F.l1_loss(rec, x) + F.mse_loss(rec, x) + 1e-6 * kl

    def _stage1_loss(self):
        b, w = self.spec.batch_size, self.spec.window
        refs, tgts, ids = [], [], []
        drop_text = self._drop(b)[0]
        for k in range(b):
            ci = int(self.rng.integers(len(self.latents)))
            lat = self.latents[ci]
            n = len(lat)
            i = int(self.rng.integers(n))
            choices = [j for j in range(max(0, i - w), min(n, i + w + 1)) if j != i]
            j = choices[int(self.rng.integers(len(choices)))]
            refs.append(lat[i])
            tgts.append(lat[j])
            ids.append(self.empty_ids if drop_text[k] else self.text_ids[ci])
        m = self.model
        x0 = torch.stack(tgts)[:, None]
        noise = torch.randn_like(x0)
        t = torch.randint(0, self.cfg.num_train_timesteps, (b,)).to(self.device)
        sh = self.scale.shard   # global batch drawn above; this rank computes its share (all of it when alone)
        x0, noise, t = x0[sh], noise[sh], t[sh]
        text = m.text_encoder(torch.stack(ids)[sh])
        feats = m.reference_net(torch.stack(refs)[sh], text)
        pred = m.unet(self.noise_sched.add_noise(x0, noise, t), t, text, feats, stage2=False)
        return self._noise_mse(pred, noise, t)

    def stage2_batch(self, clips_latents, clips, b, rng, drop=None):
        """Draws b stage-2 windows. Returns a dict of tensors (also used by evaluation)."""
        cfg = self.cfg
        K, M = cfg.frames_per_segment, cfg.motion_frames
        kt = self.spec.train_frames or K
        offset = int(rng.integers(0, K - kt + 1))
        out = {k: [] for k in ("x0", "prev", "ref", "ids", "fbank", "beats")}
        for k in range(b):
            ci = int(rng.integers(len(clips_latents)))
            lat, clip = clips_latents[ci], clips[ci]
            n = len(lat)
            s = int(rng.integers(0, n - kt + 1))
            ref = lat[int(rng.integers(n))]
            first = s < M or rng.random() < self.spec.first_segment_prob
            prev = ref[None].repeat(M, 1, 1, 1) if first else lat[s - M:s]
            seg_start_sec = (s - offset) / cfg.fps
            wave = segment_audio(clip.audio, seg_start_sec, cfg.segment_samples)
            out["fbank"].append(torch.from_numpy(fbank_features(wave, cfg.audio)))
            out["beats"].append(torch.from_numpy(beat_onehot(clip.beat_times_sec, seg_start_sec, cfg.fps, K)[offset:offset + kt]))
            out["x0"].append(lat[s:s + kt])
            out["prev"].append(prev)
            out["ref"].append(ref)
            out["ids"].append(self.text_ids[ci] if hasattr(self, "text_ids") and clips is self.train_set.clips
                              else torch.tensor(self.tokenizer.encode(clip.caption)))
        batch = {k: torch.stack(v) for k, v in out.items()}
        batch["offset"] = offset
        if drop is not None:
            dt, dm, db = drop
            for k in range(b):
                if dt[k]:
                    batch["ids"][k] = self.empty_ids
            batch["drop_music"] = torch.from_numpy(dm)
            batch["drop_beats"] = torch.from_numpy(db)
        return batch

    def stage2_predict(self, batch, t, noise):
        m = self.model
        with torch.no_grad():
            text = m.text_encoder(batch["ids"])
            feats = m.reference_net(batch["ref"], text)
        music = m.audio_encoder(batch["fbank"])
        beats = batch["beats"]
        if "drop_music" in batch:
            music = music * (~batch["drop_music"]).float()[:, None, None]
            beats = beats * (~batch["drop_beats"]).float()[:, None]
        noisy = self.noise_sched.add_noise(batch["x0"], noise, t)
        return m.unet(noisy, t, text, feats, music, beats, batch["prev"], frame_offset=batch["offset"])

    def _stage2_loss(self):
        b = self.spec.batch_size
        batch = self.stage2_batch(self.latents, self.train_set.clips, b, self.rng, self._drop(b))
        if self.noise_gen is None:
            noise = torch.randn_like(batch["x0"])
            t = torch.randint(0, self.cfg.num_train_timesteps, (b,)).to(self.device)
        else:
            noise = torch.randn(batch["x0"].shape, generator=self.noise_gen, dtype=batch["x0"].dtype).to(batch["x0"].device)
            t = torch.randint(0, self.cfg.num_train_timesteps, (b,), generator=self.noise_gen).to(self.device)
        sh = self.scale.shard   # global batch drawn above; this rank computes its share (all of it when alone)
        batch = {k: v.to(self.device)[sh] if torch.is_tensor(v) else v for k, v in batch.items()}
        noise, t = noise[sh], t[sh]
        pred = self.stage2_predict(batch, t, noise)
        loss = self._noise_mse(pred, noise, t)
        if self.spec.frame_diff_loss > 0:
            snr = self.noise_sched.snr(t)
            loss = loss + self.spec.frame_diff_loss * frame_difference_loss(pred, noise, snr)
        return loss

    def _noise_mse(self, pred, noise, t):
        """The denoising loss of stages 1 and 2: noise MSE, per sample weighted by `high_noise_weights` if asked."""
        if self.spec.high_noise_weight_cap <= 0:
            return F.mse_loss(pred, noise)
        per_sample = (pred - noise).pow(2).flatten(1).mean(1)
        w = high_noise_weights(self.noise_sched.snr(t).to(per_sample.dtype), self.spec.high_noise_weight_cap)
        return (w * per_sample).mean()

    def _set_modes(self):
        m = self.model
        m.eval()
        if self.spec.stage == "vae":
            m.vae.train()
        elif self.spec.stage == "stage1":
            m.unet.train(); m.reference_net.train(); m.text_encoder.train()
        else:
            m.unet.train(); m.audio_encoder.train()

    def finish_vae(self):
        """Scaling factor = 1 / std of the latent means over the training frames (SD's recipe)."""
        with torch.no_grad():
            frames = np.concatenate([c.frames[::4] for c in self.train_set.clips])[:2048]
            x = torch.from_numpy(to_unit(frames)).to(self.device)
            z = torch.cat([self.model.vae.encode(x[i:i + 128])[0] for i in range(0, len(x), 128)])
        sf = float(1.0 / z.std())
        self.cfg.vae.scaling_factor = sf
        self.model.vae.scaling_factor.fill_(sf)

    def loss_function(self):
        return {"vae": self._vae_loss, "stage1": self._stage1_loss, "stage2": self._stage2_loss}[self.spec.stage]

    def run(self, on_event: Callable[[dict], None], should_stop: Callable[[], bool]) -> dict:
        s = self.spec
        loss_fn = self.loss_function()
        if not self.scale.is_rank0:   # distributed: rank 0 reports
            on_event = lambda e: None  # noqa: E731
        on_event({"event": "start", "stage": s.stage, "step": self.step, "totalSteps": s.steps, "resumed": self.resumed})
        if self.finished:   # a finished run resumed: nothing to do
            done = {"event": "done", "stage": s.stage, "step": self.step, "checkpoint": self.ckpt_path, "stopped": False}
            on_event(done)
            return done
        self._set_modes()
        params = [p for p in self.model.parameters() if p.requires_grad]
        last_ckpt_t, t0, step0, acc = time.time(), time.time(), self.step, []
        stopped = False
        while self.step < s.steps:
            if self.scale.agreed(should_stop()):
                stopped = True
                break
            loss = self.scale.loss(loss_fn)   # autocast + DDP when configured
            self.opt.zero_grad(set_to_none=True)
            self.scale.backward_and_step(loss, self.opt, params, s.grad_clip)
            self.step += 1
            loss_value = self.scale.global_loss(loss)
            self.losses.append(loss_value)
            acc.append(loss_value)
            if self.step % s.log_every == 0 or self.step == s.steps:
                on_event({"event": "loss", "stage": s.stage, "step": self.step, "loss": float(np.mean(acc))})
                on_event({"event": "progress", "stage": s.stage, "step": self.step, "totalSteps": s.steps,
                          "stepsPerSec": (self.step - step0) / max(time.time() - t0, 1e-9)})
                acc = []
            if self.step % s.checkpoint_every_steps == 0 or time.time() - last_ckpt_t > s.checkpoint_every_sec:
                on_event({"event": "checkpoint", "stage": s.stage, "step": self.step, "path": self.save()})
                last_ckpt_t = time.time()
        if not stopped and s.stage == "vae":
            self.finish_vae()
        path = self.save(finished=not stopped)
        on_event({"event": "checkpoint", "stage": s.stage, "step": self.step, "path": path})
        done = {"event": "done", "stage": s.stage, "step": self.step, "checkpoint": path, "stopped": stopped}
        on_event(done)
        return done


def run(spec: TrainSpec, on_event: Callable[[dict], None] = lambda e: None,
        should_stop: Callable[[], bool] = lambda: False) -> dict:
    """Train one stage (see the module docstring). Resumes from out_dir/checkpoint.pt when it exists."""
    return Trainer(spec).run(on_event, should_stop)
