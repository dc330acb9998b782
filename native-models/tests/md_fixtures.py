"""Shared small fixtures for the MuseDance model tests: a tiny-but-real dataset and a short training chain."""
import os

from musedance_models.config import tiny
from musedance_models.data.synthetic import generate
from musedance_models.train import TrainSpec, run


def small_config(k: int = 8) -> dict:
    """The tiny architecture with K frames per segment (K=8 keeps exports and samples fast in tests)."""
    cfg = tiny()
    cfg.frames_per_segment = k
    return cfg.to_dict()


def make_dataset(root: str, train: int = 3, heldout: int = 2, duration_sec: float = 2.0) -> str:
    if not os.path.exists(os.path.join(root, "dataset.json")):
        os.makedirs(root, exist_ok=True)
        generate(root, train=train, heldout=heldout, seed=0, duration_sec=duration_sec)
    return root


def spec(stage, data, out, **kw):
    base = dict(stage=stage, dataset=data, out_dir=out, threads=1, log_every=1, checkpoint_every_steps=1000)
    if stage == "vae":
        base.update(steps=2, batch_size=2, lr=1e-3, vae_crop=32, config=small_config())
    elif stage == "stage1":
        # the reference-latent guide (UNetConfig.reference_guide), so the chain's packs carry its extra feature
        base.update(steps=2, batch_size=2, lr=1e-3, reference_guide=True)
    else:
        # sliding windows shorter than K = 8 (as the tiny pack) and beat offsets (an option it does not use), so the
        # export tests cover every graph the options can produce
        base.update(steps=4, batch_size=1, lr=1e-3, train_frames=4, temporal_window=2, beat_window=2,
                    beat_offsets=2)
    base.update(kw)
    return TrainSpec(**base)


def train_chain(root: str) -> dict:
    """vae -> stage1 -> stage2 with a few steps each; returns checkpoint paths (cached under root)."""
    data = make_dataset(os.path.join(root, "data"))
    paths = {}
    prev = None
    for stage in ("vae", "stage1", "stage2"):
        out = os.path.join(root, stage)
        run(spec(stage, data, out, init=prev))
        prev = paths[stage] = os.path.join(out, "checkpoint.pt")
    paths["data"] = data
    return paths
