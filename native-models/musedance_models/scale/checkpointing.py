"""Gradient checkpointing for the UNet and ReferenceNet: recompute each block's activations in the backward
pass instead of keeping them (memory ~ block inputs + one block's activations; ~1/3 more compute).

Checkpointed units: every ResnetBlock2D, Transformer2DModel (spatial self-attn with ReferenceNet features +
text cross-attn + feed-forward) and Stage2Modules (music, beat, motion). Non-reentrant checkpointing
(`use_reentrant=False`, torch >= 1.11) is required: the ReferenceNet hands its self-attention inputs to the
denoiser through a side list (ReferenceContext, "write" mode), and only non-reentrant checkpointing lets
gradients reach a block through such a side output. Recomputation must not replay the side effects: a
"read" context is rewound to the feature index the block used, a "write" recompute writes into a scratch list.
"""
import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

from ..models.unet import Stage2Modules
from ..models.unet_blocks import ReferenceContext, ResnetBlock2D, Transformer2DModel

CHECKPOINTED_TYPES = (ResnetBlock2D, Transformer2DModel, Stage2Modules)
_ORIGINAL = "_musedance_forward_without_checkpointing"


def _wrap_resnet(module, original):
    def forward(x, temb):
        if not (module.training and torch.is_grad_enabled()):
            return original(x, temb)
        return checkpoint(original, x, temb, use_reentrant=False)
    return forward


def _wrap_stage2(module, original):
    def forward(x, ctx):
        if not (module.training and torch.is_grad_enabled()):
            return original(x, ctx)
        return checkpoint(lambda h: original(h, ctx), x, use_reentrant=False)
    return forward


def _wrap_transformer(module, original):
    def forward(x, text, ref, frames_per_item):
        if not (module.training and torch.is_grad_enabled()):
            return original(x, text, ref, frames_per_item)
        start = ref.index if ref is not None else 0
        calls = [0]

        def run(h, context):
            calls[0] += 1
            if ref is None or calls[0] == 1:
                return original(h, context, ref, frames_per_item)
            if ref.mode == "read":  # recompute: use the same ReferenceNet feature again
                ref.index = start
                return original(h, context, ref, frames_per_item)
            return original(h, context, ReferenceContext("write"), frames_per_item)  # do not append twice

        return checkpoint(run, x, text, use_reentrant=False)
    return forward


_WRAPPERS = {ResnetBlock2D: _wrap_resnet, Stage2Modules: _wrap_stage2, Transformer2DModel: _wrap_transformer}


def enable_gradient_checkpointing(model: nn.Module) -> int:
    """Checkpoint every block of `model` (a UNet or ReferenceNet) in training mode; returns blocks wrapped."""
    wrapped = 0
    for module in model.modules():
        for kind, wrapper in _WRAPPERS.items():
            if isinstance(module, kind) and not hasattr(module, _ORIGINAL):
                original = module.forward
                setattr(module, _ORIGINAL, original)
                module.forward = wrapper(module, original)
                wrapped += 1
    return wrapped


def disable_gradient_checkpointing(model: nn.Module) -> None:
    for module in model.modules():
        if hasattr(module, _ORIGINAL):
            module.forward = getattr(module, _ORIGINAL)
            delattr(module, _ORIGINAL)
