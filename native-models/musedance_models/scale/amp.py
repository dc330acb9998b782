"""Mixed precision: autocast (fp16 on CUDA with a GradScaler; bf16 on CUDA or CPU) around the forward pass.

Weights and optimizer state stay float32 (autocast casts per op), so checkpoints are precision-independent
and a run may switch precision on resume. fp16 needs loss scaling (gradients underflow otherwise); bf16 has
float32's exponent range and does not.
"""
import contextlib
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

MODES = ("no", "fp16", "bf16")


class MixedPrecisionError(ValueError):
    """The requested precision cannot run on this device."""


def check_supported(mode: str, device_type: str) -> None:
    if mode not in MODES:
        raise MixedPrecisionError(f"mixedPrecision must be one of {', '.join(MODES)}")
    if mode == "fp16" and device_type != "cuda":
        raise MixedPrecisionError("fp16 mixed precision needs a CUDA GPU; use \"bf16\" on CPU")
    if mode == "bf16" and device_type == "cuda" and not torch.cuda.is_bf16_supported():
        raise MixedPrecisionError("this GPU has no bf16 support; use \"fp16\"")


def _float32_group_norm(module: nn.GroupNorm):
    def forward(x):
        if x.dtype == module.weight.dtype:
            return F.group_norm(x, module.num_groups, module.weight, module.bias, module.eps)
        # CUDA autocast runs group_norm in float32; torch 1.13's CPU autocast has no rule for it and fails on a
        # bf16 input with float32 weights. Do what CUDA does: normalise in float32, return float32.
        return F.group_norm(x.float(), module.num_groups, module.weight.float(),
                            None if module.bias is None else module.bias.float(), module.eps)
    return forward


def _float32_layer_norm(module: nn.LayerNorm):
    def forward(x):
        if x.dtype == module.weight.dtype or module.weight is None:
            return F.layer_norm(x, module.normalized_shape, module.weight, module.bias, module.eps)
        return F.layer_norm(x.float(), module.normalized_shape, module.weight.float(),
                            None if module.bias is None else module.bias.float(), module.eps)
    return forward


def make_norms_autocast_safe(model: nn.Module) -> int:
    """Let GroupNorm/LayerNorm take low-precision inputs under autocast on every torch version (float32 maths,
    float32 output, as CUDA autocast does); returns modules patched."""
    patched = 0
    for module in model.modules():
        kind = _float32_group_norm if isinstance(module, nn.GroupNorm) else (
            _float32_layer_norm if isinstance(module, nn.LayerNorm) else None)
        if kind is not None and not getattr(module, "_musedance_fp32_norm", False):
            module.forward = kind(module)
            module._musedance_fp32_norm = True
            patched += 1
    return patched


class MixedPrecision:
    """`with mp.autocast(): loss = ...`; `mp.backward(loss)`; `mp.step(optimizer)` (unscale, skip on inf, update)."""

    def __init__(self, mode: str, device_type: str):
        check_supported(mode, device_type)
        self.mode, self.device_type = mode, device_type
        self.dtype: Optional[torch.dtype] = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(mode)
        scaler_enabled = mode == "fp16"
        self.scaler = torch.cuda.amp.GradScaler(enabled=scaler_enabled) if scaler_enabled else None

    def prepare(self, *models: nn.Module) -> None:
        """Call once on the trained models before the first step."""
        if self.dtype is not None:
            for model in models:
                make_norms_autocast_safe(model)

    def autocast(self):
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device_type, dtype=self.dtype)

    def backward(self, loss: torch.Tensor) -> None:
        (self.scaler.scale(loss) if self.scaler is not None else loss).backward()

    def unscale(self, optimizer) -> None:
        """Call before gradient clipping so the norm is measured on true gradients."""
        if self.scaler is not None:
            self.scaler.unscale_(optimizer)

    def step(self, optimizer) -> None:
        if self.scaler is None:
            optimizer.step()
            return
        self.scaler.step(optimizer)
        self.scaler.update()

    def state_dict(self) -> dict:
        return {"mode": self.mode, "scaler": self.scaler.state_dict() if self.scaler is not None else None}

    def load_state_dict(self, state: Optional[dict]) -> None:
        if state and self.scaler is not None and state.get("scaler"):
            self.scaler.load_state_dict(state["scaler"])
