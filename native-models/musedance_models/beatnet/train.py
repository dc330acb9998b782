"""
Training loop for BeatNet (the recipe with its numbers is native-models/recipes/beat_net.py): random crops of the
train clips, binary cross-entropy on beat and downbeat targets (positives weighted up: beats are ~5 % of frames,
downbeats ~1.5 %), Adam, a random gain per crop (a constant shift of the dB features, re-floored), checkpoints
every `checkpoint_every` steps (model, optimiser, step, RNG states) so a killed run resumes where it stopped, and
the held-out clips scored every `eval_every` steps. The corpus folder is re-read at every evaluation, so training
can start while the corpus is still being built. Logs JSON lines to <run>/log.jsonl.
"""
from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from ..checkpoint_io import load_own
from .data import Clip, feature_params, frame_targets, load_clips
from .evaluate import mean_scores, score_clip
from .model import BeatNet, BeatNetConfig


@dataclass
class TrainSpec:
    corpus: str
    run_dir: str
    steps: int = 2000
    batch: int = 8
    crop_frames: int = 800
    lr: float = 2e-3
    lr_final: float = 1e-4
    pos_weight_beat: float = 4.0
    pos_weight_downbeat: float = 10.0
    gain_db: float = 12.0
    eval_every: int = 250
    checkpoint_every: int = 100
    seed: int = 0
    threads: int = 1


def _lr(spec: TrainSpec, step: int) -> float:
    warm = 100
    if step < warm:
        return spec.lr * (step + 1) / warm
    t = (step - warm) / max(1, spec.steps - warm)
    return spec.lr_final + 0.5 * (spec.lr - spec.lr_final) * (1 + math.cos(math.pi * min(1.0, t)))


class _Batches:
    def __init__(self, clips: list[Clip], fps: float, floor: float, spec: TrainSpec, rng: np.random.Generator):
        self.clips, self.fps, self.floor, self.spec, self.rng = clips, fps, floor, spec, rng
        self.targets = [np.stack([frame_targets(c.beats, len(c.mel), fps), frame_targets(c.downbeats, len(c.mel), fps)], 1) for c in clips]

    def sample(self) -> tuple[torch.Tensor, torch.Tensor]:
        s = self.spec
        xs, ys = [], []
        for _ in range(s.batch):
            i = int(self.rng.integers(len(self.clips)))
            mel, y = self.clips[i].mel, self.targets[i]
            n = len(mel)
            if n > s.crop_frames:
                a = int(self.rng.integers(0, n - s.crop_frames + 1))
                mel, y = mel[a:a + s.crop_frames], y[a:a + s.crop_frames]
            pad = s.crop_frames - len(mel)
            gain = float(self.rng.uniform(-s.gain_db, s.gain_db)) / 20.0  # features are dB / 20
            m = np.maximum(mel + gain, self.floor)
            if pad:
                m = np.concatenate([m, np.full((pad, m.shape[1]), self.floor, np.float32)])
                y = np.concatenate([y, np.zeros((pad, 2), np.float32)])
            xs.append(m)
            ys.append(y)
        return torch.from_numpy(np.stack(xs).astype(np.float32)), torch.from_numpy(np.stack(ys))


def loss_fn(logits: torch.Tensor, target: torch.Tensor, spec: TrainSpec) -> torch.Tensor:
    pw = torch.tensor([spec.pos_weight_beat, spec.pos_weight_downbeat])
    return torch.nn.functional.binary_cross_entropy_with_logits(logits, target, pos_weight=pw)


@torch.no_grad()
def evaluate_clips(model: BeatNet, clips: list[Clip], fps: float) -> dict:
    model.eval()
    rows = []
    for c in clips:
        act = model(torch.from_numpy(c.mel).unsqueeze(0))[0].numpy()
        rows.append(score_clip(act, fps, c.beats, c.downbeats))
    model.train()
    return {**mean_scores(rows), 'clips': len(rows)}


def run(spec: TrainSpec, log=print) -> Path:
    torch.set_num_threads(spec.threads)
    run_dir = Path(spec.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    corpus = Path(spec.corpus)
    params = feature_params(corpus)
    fps = params['sampleRate'] / params['hopSamples']
    floor = (params['floorDb'] - params['offsetDb']) / params['scaleDb']
    cfg = BeatNetConfig(mel_bands=int(params['melBands']))
    torch.manual_seed(spec.seed)
    model = BeatNet(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=spec.lr)
    rng = np.random.default_rng(spec.seed)
    step = 0
    ckpt = run_dir / 'checkpoint.pt'
    if ckpt.exists():
        state = load_own(ckpt)
        model.load_state_dict(state['model'])
        opt.load_state_dict(state['opt'])
        step = state['step']
        rng = np.random.default_rng(state['rng_seed_next'])
        torch.set_rng_state(state['torch_rng'])
        log(json.dumps({'event': 'resumed', 'step': step}))
    (run_dir / 'spec.json').write_text(json.dumps({'spec': asdict(spec), 'model': cfg.to_dict()}, indent=1))

    def reload():
        train = load_clips(corpus, 'train')
        held = load_clips(corpus, 'eval')
        return _Batches(train, fps, floor, spec, rng), held

    batches, held = reload()
    if not batches.clips:
        raise RuntimeError(f'{corpus}: no train clips with features yet')
    model.train()
    logf = open(run_dir / 'log.jsonl', 'a')
    t0 = time.time()
    run_loss = 0.0
    while step < spec.steps:
        for g in opt.param_groups:
            g['lr'] = _lr(spec, step)
        x, y = batches.sample()
        loss = loss_fn(model.logits(x), y, spec)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        step += 1
        run_loss += float(loss.detach())
        if step % 25 == 0:
            rec = {'event': 'train', 'step': step, 'loss': round(run_loss / 25, 5), 'lr': round(_lr(spec, step), 6),
                   's_per_step': round((time.time() - t0) / 25, 3), 'train_clips': len(batches.clips)}
            logf.write(json.dumps(rec) + '\n'); logf.flush(); log(json.dumps(rec))
            run_loss, t0 = 0.0, time.time()
        if step % spec.checkpoint_every == 0 or step == spec.steps:
            state = {'model': model.state_dict(), 'opt': opt.state_dict(), 'step': step, 'config': cfg.to_dict(),
                     'rng_seed_next': int(rng.integers(2**31)), 'torch_rng': torch.get_rng_state()}
            rng = np.random.default_rng(state['rng_seed_next'])
            batches.rng = rng
            torch.save(state, run_dir / 'checkpoint.pt.part')
            (run_dir / 'checkpoint.pt.part').replace(ckpt)
        if step % spec.eval_every == 0 or step == spec.steps:
            batches, held = reload()
            batches.rng = rng
            scores = evaluate_clips(model, held, fps) if held else {}
            rec = {'event': 'eval', 'step': step, **scores, 'train_clips': len(batches.clips)}
            logf.write(json.dumps(rec) + '\n'); logf.flush(); log(json.dumps(rec))
            t0 = time.time()
    logf.close()
    return ckpt


def load_model(ckpt: Path) -> BeatNet:
    state = load_own(ckpt)
    model = BeatNet(BeatNetConfig(**state['config']))
    model.load_state_dict(state['model'])
    return model.eval()
