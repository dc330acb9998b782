"""LoRA (Hu et al. 2021) on attention projections: train small low-rank adapters, keep the base weights frozen.

`apply_lora` swaps every attention projection Linear (`to_q`, `to_k`, `to_v`, `to_out.0`: diffusers names, used
by the UNet's spatial/cross attention, the ReferenceNet and the stage-2 modules) for a `LoRALinear`. A
`LoRALinear` IS an nn.Linear holding the same `weight`/`bias` Parameters, so the base state-dict names do not
change; it adds `lora_down` (rank x in, Kaiming-uniform) and `lora_up` (out x rank, zero: the adapted model
starts equal to the base) and computes  W x + b + (alpha / rank) * up(down(x)).

Export: `merge_lora` folds the adapters into W (a plain pack, same names as the base), or `save_adapters`
writes only the adapter tensors to a `.safetensors` file (metadata: rank, alpha, targets) that
`load_adapters` applies at run time.
"""
import json
import math
from typing import Dict, Iterable, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from ..weights_import.safetensors_io import SafetensorsFile, save_file

DEFAULT_TARGETS = ("to_q", "to_k", "to_v", "to_out.0")
ADAPTER_FORMAT = "musedance-lora"


class LoRALinear(nn.Linear):
    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        if rank < 1:
            raise ValueError("LoRA rank must be >= 1")
        nn.Module.__init__(self)
        self.in_features, self.out_features = base.in_features, base.out_features
        self.weight = base.weight
        self.bias = base.bias
        self.rank, self.alpha = int(rank), float(alpha)
        device, dtype = base.weight.device, base.weight.dtype
        self.lora_down = nn.Linear(self.in_features, rank, bias=False, device=device, dtype=dtype)
        self.lora_up = nn.Linear(rank, self.out_features, bias=False, device=device, dtype=dtype)
        nn.init.kaiming_uniform_(self.lora_down.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_up.weight)

    @property
    def scale(self) -> float:
        return self.alpha / self.rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight, self.bias) + self.lora_up(self.lora_down(x)) * self.scale

    def merged_linear(self) -> nn.Linear:
        """A plain Linear with W + scale * up @ down (computed in float32)."""
        merged = nn.Linear(self.in_features, self.out_features, bias=self.bias is not None,
                           device=self.weight.device, dtype=self.weight.dtype)
        with torch.no_grad():
            delta = self.lora_up.weight.float() @ self.lora_down.weight.float() * self.scale
            merged.weight.copy_((self.weight.float() + delta).to(self.weight.dtype))
            if self.bias is not None:
                merged.bias.copy_(self.bias)
        merged.weight.requires_grad_(self.weight.requires_grad)
        return merged


def _targets_of(model: nn.Module, targets: Iterable[str]) -> List[Tuple[nn.Module, str, str]]:
    """(parent, child name, qualified name) of every Linear whose qualified name ends with a target."""
    found = []
    suffixes = tuple("." + t for t in targets)
    for qualified, module in model.named_modules():
        if isinstance(module, nn.Linear) and not isinstance(module, LoRALinear) and qualified.endswith(suffixes):
            parent_name, _, child = qualified.rpartition(".")
            if child.startswith("lora_"):
                continue
            found.append((model.get_submodule(parent_name), child, qualified))
    return found


def _set_child(parent: nn.Module, child: str, module: nn.Module) -> None:
    parent._modules[child] = module  # works for attributes and ModuleList indices ("0") alike


def apply_lora(model: nn.Module, rank: int, alpha: float, targets: Iterable[str] = DEFAULT_TARGETS) -> List[str]:
    """Wrap the target projections in place; returns their qualified names."""
    wrapped = []
    for parent, child, qualified in _targets_of(model, targets):
        _set_child(parent, child, LoRALinear(parent._modules[child], rank, alpha))
        wrapped.append(qualified)
    if not wrapped:
        raise ValueError(f"no attention projections named {', '.join(targets)} in {type(model).__name__}")
    return wrapped


def lora_modules(model: nn.Module) -> Dict[str, LoRALinear]:
    return {name: m for name, m in model.named_modules() if isinstance(m, LoRALinear)}


def mark_only_lora_trainable(model: nn.Module) -> int:
    """Freeze everything except adapter weights; returns the number of trainable parameters."""
    trainable = 0
    for name, param in model.named_parameters():
        is_adapter = ".lora_down." in name or ".lora_up." in name
        param.requires_grad_(is_adapter)
        trainable += param.numel() if is_adapter else 0
    return trainable


def adapter_state_dict(model: nn.Module) -> Dict[str, torch.Tensor]:
    return {k: v for k, v in model.state_dict().items() if ".lora_down." in k or ".lora_up." in k}


def merge_lora(model: nn.Module) -> int:
    """Replace every LoRALinear by its merged plain Linear, in place; returns how many were merged."""
    merged = 0
    for qualified, module in list(lora_modules(model).items()):
        parent_name, _, child = qualified.rpartition(".")
        _set_child(model.get_submodule(parent_name), child, module.merged_linear())
        merged += 1
    return merged


def remove_lora(model: nn.Module) -> int:
    """Drop the adapters, keeping the base weights (plain Linears with the base names); returns how many."""
    removed = 0
    for qualified, module in list(lora_modules(model).items()):
        parent_name, _, child = qualified.rpartition(".")
        plain = nn.Linear(module.in_features, module.out_features, bias=module.bias is not None,
                          device=module.weight.device, dtype=module.weight.dtype)
        plain.weight, plain.bias = module.weight, module.bias
        _set_child(model.get_submodule(parent_name), child, plain)
        removed += 1
    return removed


def save_adapters(models: Dict[str, nn.Module], path: str) -> int:
    """Write the adapters of named components (e.g. {"unet": unet, "reference_net": refnet}) to safetensors."""
    tensors, rank, alpha, targets = {}, None, None, set()
    for component, model in models.items():
        for name, module in lora_modules(model).items():
            rank, alpha = module.rank, module.alpha
            targets.add(name.rsplit(".", 1)[-1] if not name.endswith(".0") else "to_out.0")
            tensors[f"{component}.{name}.lora_down.weight"] = module.lora_down.weight.detach().float()
            tensors[f"{component}.{name}.lora_up.weight"] = module.lora_up.weight.detach().float()
    if not tensors:
        raise ValueError("no LoRA adapters to save")
    save_file(tensors, path, metadata={"format": ADAPTER_FORMAT, "rank": str(rank), "alpha": str(alpha),
                                       "targets": json.dumps(sorted(targets))})
    return len(tensors)


def load_adapters(models: Dict[str, nn.Module], path: str) -> None:
    """Apply the adapters of `path` to the named components (wrapping them first when needed)."""
    with SafetensorsFile(path) as handle:
        meta = handle.metadata
        if meta.get("format") != ADAPTER_FORMAT:
            raise ValueError(f"{path} is not a MuseDance LoRA adapter file")
        rank, alpha = int(meta["rank"]), float(meta["alpha"])
        targets = json.loads(meta.get("targets", json.dumps(list(DEFAULT_TARGETS))))
        for component, model in models.items():
            if not lora_modules(model):
                apply_lora(model, rank, alpha, targets)
            wanted = {f"{component}.{k}": k for k in adapter_state_dict(model)}
            missing = [k for k in wanted if k not in handle.keys()]
            if missing:
                raise ValueError(f"{path} lacks adapters for {component}: {', '.join(missing[:3])}")
            state = {local: handle.get(full) for full, local in wanted.items()}
            model.load_state_dict(state, strict=False)
