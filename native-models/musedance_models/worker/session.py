"""The worker's only door into the training library (`musedance_models.train`): builds a `TrainSpec` from a
protocol `train` spec, runs `Trainer.run(on_event, should_stop)`, samples and exports.

Library contract used (train.py docstring): `Trainer(spec)` loads the dataset and resumes from
`out_dir/checkpoint.pt` when it exists; `trainer.run(on_event, should_stop)` trains until `steps`, checks
`should_stop()` between steps, writes the checkpoint when stopping and at the end, and can be called again on the
same object to continue (how a pause resumes without reloading anything).
"""
import os
from typing import Any, Callable, Dict, Optional

import numpy as np

from . import sampling

STAGE_NAMES = {1: "stage1", 2: "stage2", "vae": "vae"}
NEVER_STEPS = 10 ** 12
NEVER_SEC = float("inf")


def train_spec(spec: Dict[str, Any]):
    from ..train import TrainSpec

    return TrainSpec(
        stage=STAGE_NAMES[spec["stage"]], dataset=spec["datasetDir"], out_dir=spec["runDir"], steps=spec["steps"],
        config=spec["config"], init=spec["initCheckpoint"], tokenizer_dir=spec["tokenizerDir"],
        batch_size=spec["batchSize"], lr=spec["learningRate"], seed=spec["seed"], threads=spec["threads"],
        train_frames=spec["trainFrames"],
        checkpoint_every_steps=spec["checkpointEverySteps"] or NEVER_STEPS,
        checkpoint_every_sec=spec["checkpointEverySec"] or NEVER_SEC, log_every=spec["logEverySteps"],
        device=spec["device"], mixed_precision=spec["mixedPrecision"],
        gradient_checkpointing=spec["gradientCheckpointing"],
        lora_rank=(spec["lora"] or {}).get("rank", 0), lora_alpha=(spec["lora"] or {}).get("alpha"))


def device_memory_bytes() -> Optional[int]:
    import torch

    if torch.cuda.is_available():
        return int(torch.cuda.get_device_properties(0).total_memory)
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


class RunSession:
    def __init__(self, spec: Dict[str, Any]):
        from ..train import Trainer

        self.spec = spec
        self.trainer = Trainer(train_spec(spec))
        self.estimate_value = None

    @property
    def step(self) -> int:
        return int(self.trainer.step)

    def estimate(self) -> Dict[str, Any]:
        from ..scale.memory_estimate import estimate_for_trainer

        self.estimate_value = estimate_for_trainer(self.trainer, self.spec)
        return self.estimate_value.as_event_fields(device_memory_bytes())

    def run(self, on_event: Callable[[dict], None], should_stop: Callable[[], bool]) -> dict:
        return self.trainer.run(on_event, should_stop)

    def learning_rate(self) -> float:
        return float(self.trainer.opt.param_groups[0]["lr"])

    def sample(self, fields: Dict[str, Any], out_dir: str, should_cancel=lambda: False) -> Optional[dict]:
        t = self.trainer
        if not hasattr(t, "tokenizer"):
            raise ValueError("a VAE-stage run has no text/music model to sample from")
        return _sample(t.model, t.tokenizer, t.cfg, fields, out_dir, should_cancel)

    def preview_sample(self, out_dir: str) -> dict:
        """A held-out clip (or the first train clip): its first frame, its audio from 0, its caption and beats."""
        from ..data.loader import Dataset

        t = self.trainer
        clips = Dataset(self.spec["datasetDir"], "heldout", t.cfg.fps, t.cfg.height, t.cfg.width, limit=1).clips
        clip = (clips or t.train_set.clips)[0]
        fields = {"prompt": clip.caption, "beatTimesSec": [float(b) for b in clip.beat_times_sec],
                  "audioStartSec": 0.0, "numInferenceSteps": 20, "guidanceScale": 3.5, "seed": 0}
        return _sample(t.model, t.tokenizer, t.cfg, fields, out_dir, lambda: False,
                       reference=clip.frames[0], song=clip.audio)


def _sample(model, tokenizer, cfg, fields, out_dir, should_cancel, reference=None, song=None) -> Optional[dict]:
    if reference is None:
        reference = sampling.load_image(fields["referenceImage"], cfg.height, cfg.width)
    if song is None:
        song = sampling.load_wav_mono_16k(fields["audioPath"])
    frames = sampling.sample_preview(model, tokenizer, cfg, reference, song, fields["audioStartSec"],
                                     fields["beatTimesSec"], fields["prompt"], fields["numInferenceSteps"],
                                     fields["guidanceScale"], fields["seed"], should_cancel)
    if frames is None:
        return None
    result = sampling.write_sample(out_dir, frames, song, fields["audioStartSec"], cfg)
    result.update(prompt=fields["prompt"], seed=fields["seed"])
    return result


def sample_from_checkpoint(checkpoint: str, fields: Dict[str, Any], out_dir: str, control) -> Optional[dict]:
    from ..models.musedance import MuseDance
    from ..tokenizer import ClipTokenizer
    from ..train import load_init

    cfg, states, tokenizer_dir = load_init(checkpoint)
    if not tokenizer_dir or not os.path.isfile(os.path.join(tokenizer_dir, "vocab.json")):
        raise ValueError(f"{checkpoint} names no tokenizer folder (vocab.json + merges.txt)")
    model = MuseDance(cfg)
    model.load_state_dicts(states)
    return _sample(model, ClipTokenizer.from_dir(tokenizer_dir), cfg, fields, out_dir, lambda: control.stopping)


def export_pack(fields: Dict[str, Any]) -> Dict[str, Any]:
    """ONNX pack from a checkpoint (PACK.md) via the library's exporter; LoRA runs merged or with a separate
    adapter file written next to the pack as `<outDir>.lora_adapters.safetensors`."""
    import sys
    import tempfile

    from ..export import export_pack as library_export
    from ..scale.lora_export import checkpoint_for_pack

    out_dir = os.path.abspath(fields["outDir"])
    adapter_target = out_dir.rstrip(os.sep) + ".lora_adapters.safetensors"
    with tempfile.TemporaryDirectory(prefix="musedance-export-") as work:
        source, adapter = checkpoint_for_pack(fields["checkpoint"], fields["lora"], work, fields["tokenizerDir"],
                                              adapter_target)
        name = fields["name"] or os.path.basename(out_dir)
        manifest = library_export(source, out_dir, name=name, golden=fields["goldens"], precision=fields["precision"],
                                  log=lambda message: print(message, file=sys.stderr, flush=True))
    return {"packDir": out_dir, "manifestPath": os.path.abspath(manifest), "adapterPath": adapter}
