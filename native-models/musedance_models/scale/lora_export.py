"""Turn a training checkpoint into what the ONNX pack exporter reads (`musedance_models.export.export_pack`).

A LoRA run's checkpoint holds base weights plus adapters (`*.lora_down/lora_up.*`), which a plain MuseDance
model does not have. `mode="merge"`: the adapters are folded into the weights (W + alpha/rank * up @ down) and
the pack is the fine-tuned model. `mode="separate"`: the pack gets the unchanged base weights and the adapters
go to a `.safetensors` file next to it (`load_adapters` applies them at run time in PyTorch).
A checkpoint without LoRA passes through unchanged (only the tokenizer folder may be overridden).
"""
import os
from typing import Optional, Tuple

import torch

from ..checkpoint_io import load_own
from ..config import MuseDanceConfig
from ..models.musedance import MuseDance
from .lora import apply_lora, merge_lora, remove_lora, save_adapters

LORA_PARTS = ("unet", "reference_net")


def checkpoint_for_pack(checkpoint: str, mode: str, work_dir: str, tokenizer_dir: Optional[str] = None,
                        adapter_path: Optional[str] = None) -> Tuple[str, Optional[str]]:
    """-> (checkpoint path the exporter should read, adapter file written or None)."""
    ck = load_own(checkpoint)
    spec = ck.get("spec") or {}
    rank = int(spec.get("lora_rank") or 0)
    if not rank and not tokenizer_dir:
        return checkpoint, None
    states = ck["state_dicts"] if "state_dicts" in ck else ck["models"]
    written = None
    if rank:
        alpha = float(spec.get("lora_alpha") or rank)
        model = MuseDance(MuseDanceConfig.from_dict(ck["config"]))
        for part in LORA_PARTS:
            apply_lora(getattr(model, part), rank, alpha)
        model.load_state_dicts(states)
        if mode == "separate":
            written = adapter_path or os.path.join(work_dir, "lora_adapters.safetensors")
            save_adapters({part: getattr(model, part) for part in LORA_PARTS}, written)
            for part in LORA_PARTS:
                remove_lora(getattr(model, part))
        else:
            for part in LORA_PARTS:
                merge_lora(getattr(model, part))
        states = model.state_dicts()
    out = {key: value for key, value in ck.items() if key not in ("models", "state_dicts", "optimizer")}
    out["models"] = states
    if tokenizer_dir:
        out["tokenizer_dir"] = os.path.abspath(tokenizer_dir)
    path = os.path.join(work_dir, "export-input.pt")
    torch.save(out, path)
    return path, written
