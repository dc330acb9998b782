"""Memory and time estimate of one training step, printed before training (issue 12).

    total = weights + gradients + Adam state + activations saved for the backward pass

- weights: every module a training run holds (VAE, text encoder, audio encoder, UNet with stage-2 modules,
  ReferenceNet), float32 master copies (autocast does not change stored weights);
- gradients: float32, one per trainable parameter; Adam: two float32 moments per trainable parameter;
- activations: MEASURED, not guessed: the UNet and ReferenceNet forward of one training step runs on PyTorch's
  `meta` device (shapes only, no memory, no arithmetic) under `saved_tensors_hooks`, summing every tensor
  autograd keeps for backward (parameters and repeated references excluded). Attention is substituted during
  the trace so the estimate reflects the attention kernel training will use: "memory_efficient" (torch >= 2
  scaled_dot_product_attention: keeps q, k, v, output and log-sum-exp) or "naive" (torch 1.13's manual path:
  also keeps the Nq x Nk probability matrix per head). Gradient checkpointing is accounted per checkpointed
  block (ResnetBlock2D, Transformer2DModel, Stage2Modules): block inputs are kept, and the largest block's
  activations are live again during its recomputation. Mixed precision counts floating activations at 2 bytes
  (float32 norm/softmax outputs under autocast are not modelled: a slight under-estimate).
Not modelled: the allocator's fragmentation/caching, CUDA context (~0.5-1 GB), transient backward buffers,
and the frozen VAE/text/audio encoders' own forward activations (run under no_grad: transient).

Time: forward FLOPs counted in the same trace (convolutions, linear layers, attention matmuls); a training step
is ~3x forward (+1x with checkpointing); divided by the device's measured matmul throughput times an
efficiency factor (`ASSUMED_EFFICIENCY`): a rough figure, refined by the measured steps/s during training.
"""
import contextlib
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import nn

from ..config import MuseDanceConfig
from ..weights_import.meta_init import build_on_meta
from .checkpointing import CHECKPOINTED_TYPES

GIB = 1024 ** 3
ASSUMED_EFFICIENCY = 0.4  # fraction of peak matmul throughput a UNet training step sustains (rough)
ADAM_STATE_PER_PARAM = 2  # exp_avg + exp_avg_sq


@dataclass
class MemoryEstimate:
    parameters: int
    trainable_parameters: int
    weights_bytes: int
    gradients_bytes: int
    optimizer_bytes: int
    activations_bytes: int
    total_bytes: int
    forward_flops: int
    step_flops: int
    attention: str
    settings: Dict[str, object] = field(default_factory=dict)
    seconds_per_step: Optional[float] = None

    def summary(self) -> str:
        s = self.settings
        text = (f"training memory ~{self.total_bytes / GIB:.1f} GiB (weights {self.weights_bytes / GIB:.1f}, gradients "
                f"{self.gradients_bytes / GIB:.1f}, Adam {self.optimizer_bytes / GIB:.1f}, activations "
                f"{self.activations_bytes / GIB:.1f}) for {self.trainable_parameters / 1e6:.1f} M trainable of "
                f"{self.parameters / 1e6:.1f} M parameters at {s.get('height')}x{s.get('width')}, K={s.get('frames')}, "
                f"batch {s.get('batch_size')}, stage {s.get('stage')}, {s.get('mixed_precision')} precision"
                f"{', checkpointing' if s.get('gradient_checkpointing') else ''}"
                f"{', LoRA rank %s' % s.get('lora_rank') if s.get('lora_rank') else ''}; {self.attention} attention")
        if self.seconds_per_step is not None:
            text += f"; ~{self.seconds_per_step:.2g} s/step"
        return text

    def as_event_fields(self, device_memory_bytes: Optional[int]) -> dict:
        """The `estimate` event's fields (PROTOCOL.md)."""
        return {"parameters": self.parameters, "trainableParameters": self.trainable_parameters,
                "weightsBytes": self.weights_bytes, "gradientsBytes": self.gradients_bytes,
                "optimizerBytes": self.optimizer_bytes, "activationsBytes": self.activations_bytes,
                "totalBytes": self.total_bytes, "deviceMemoryBytes": device_memory_bytes,
                "secondsPerStep": self.seconds_per_step, "summary": self.summary()}


def default_attention() -> str:
    return "memory_efficient" if hasattr(F, "scaled_dot_product_attention") else "naive"


class _Trace:
    """Counts bytes autograd saves (per checkpointable block) and forward FLOPs during a meta forward."""

    def __init__(self, params: List[nn.Parameter], low_precision: bool):
        self.param_ids = {id(p) for p in params}
        self.low_precision = low_precision
        self.seen = set()
        self.outside_bytes = 0
        self.block_bytes: List[int] = []
        self.block_input_bytes = 0
        self.depth = 0
        self.flops = 0

    def nbytes(self, t: torch.Tensor) -> int:
        size = 2 if (self.low_precision and t.is_floating_point()) else t.element_size()
        return t.numel() * size

    def pack(self, t: torch.Tensor):
        base = t._base if t._base is not None else t
        if id(t) in self.param_ids or id(base) in self.param_ids or id(base) in self.seen:
            return t
        self.seen.add(id(base))
        nbytes = self.nbytes(base)
        if self.depth > 0:
            self.block_bytes[-1] += nbytes
        else:
            self.outside_bytes += nbytes
        return t

    def block_pre(self, module, inputs):
        if self.depth == 0:
            self.block_bytes.append(0)
            x = inputs[0]
            if torch.is_tensor(x) and x.requires_grad:
                self.block_input_bytes += self.nbytes(x)
        self.depth += 1

    def block_post(self, module, inputs, output):
        self.depth -= 1

    def count_flops(self, module, inputs, output):
        if isinstance(module, nn.Conv2d):
            per_output = module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
            self.flops += 2 * output.numel() * per_output
        elif isinstance(module, nn.Linear):
            self.flops += 2 * output.numel() * module.in_features


def _meta_attention(mode: str, trace: _Trace):
    class MetaAttention(torch.autograd.Function):
        @staticmethod
        def forward(ctx, q, k, v, bias=None):   # bias: the frame-window mask (same call as models.attention)
            out = q.new_empty(q.shape[:-1] + (v.shape[-1],))
            b, h, nq, d = q.shape
            nk = k.shape[-2]
            trace.flops += 4 * b * h * nq * nk * d
            if mode == "naive":
                probs = q.new_empty((b, h, nq, nk))
                ctx.save_for_backward(q, k, v, probs)
            else:
                lse = q.new_empty((b, h, nq), dtype=torch.float32)
                ctx.save_for_backward(q, k, v, out, lse)
            return out

        @staticmethod
        def backward(ctx, grad):  # never called: the trace runs forward only
            raise RuntimeError("meta attention is for estimates only")

    return MetaAttention.apply


@contextlib.contextmanager
def _meta_friendly_ops(mode: str, trace: _Trace):
    """Attention replaced by the accounting version; repeat_interleave given the output size meta needs."""
    from ..models import attention as attention_module

    original_attention = attention_module.attention
    original_repeat = torch.Tensor.repeat_interleave

    def repeat_interleave(self, repeats, dim=None, output_size=None):
        if self.is_meta and isinstance(repeats, int) and dim is not None and output_size is None:
            output_size = self.shape[dim] * repeats
        return original_repeat(self, repeats, dim=dim, output_size=output_size)

    attention_module.attention = _meta_attention(mode, trace)
    torch.Tensor.repeat_interleave = repeat_interleave
    try:
        yield
    finally:
        attention_module.attention = original_attention
        torch.Tensor.repeat_interleave = original_repeat


def stage_trainable(name: str, component: str, stage: int) -> bool:
    """Default trainable set: stage 1 trains the UNet (without stage-2 modules) and the ReferenceNet; stage 2
    trains the stage-2 modules (paper 3.3: spatial modules frozen)."""
    if stage == 1:
        return ".stage2." not in name
    return component == "unet" and ".stage2." in name


def _param_count(factory) -> int:
    return sum(p.numel() for p in build_on_meta(factory).parameters())


def measure_matmul_flops(device: str = "cpu", size: int = 512, repeats: int = 3) -> float:
    """Achieved float32 matmul FLOP/s on `device` (a fraction of a second). Leaves the global RNG alone."""
    a = torch.ones(size, size, device=device)
    b = torch.ones(size, size, device=device)
    a @ b
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return 2 * size ** 3 * repeats / max(time.perf_counter() - start, 1e-9)


def estimate_training_memory(*args, **kwargs) -> "MemoryEstimate":
    """See `_estimate_training_memory`. Runs under `fork_rng`: building modules draws random initial weights
    (e.g. AST position embeddings) before they move to the meta device, and an estimate must never change the
    random stream a training run (or a resumed one, or another distributed rank) depends on."""
    with torch.random.fork_rng(devices=[]):
        return _estimate_training_memory(*args, **kwargs)


def _estimate_training_memory(cfg: MuseDanceConfig, stage: int = 2, batch_size: int = 1, mixed_precision: str = "no",
                             gradient_checkpointing: bool = False, lora_rank: Optional[int] = None,
                             attention: str = "auto", trainable=stage_trainable,
                             device_flops: Optional[float] = None, frames: Optional[int] = None) -> MemoryEstimate:
    """`frames`: frames per stage-2 training window (default K)."""
    from ..models.audio_encoder import AstAudioEncoder
    from ..models.reference_net import ReferenceNet
    from ..models.text_encoder import ClipTextEncoder
    from ..models.unet import UNet
    from ..models.vae import AutoencoderKL
    from .lora import apply_lora, mark_only_lora_trainable

    mode = default_attention() if attention == "auto" else attention
    if mode not in ("memory_efficient", "naive"):
        raise ValueError("attention must be auto, memory_efficient or naive")
    unet = build_on_meta(lambda: UNet(cfg))
    refnet = build_on_meta(lambda: ReferenceNet(cfg))
    frozen_params = (_param_count(lambda: AutoencoderKL(cfg.vae)) + _param_count(lambda: ClipTextEncoder(cfg.text))
                     + _param_count(lambda: AstAudioEncoder(cfg.audio)))
    if lora_rank:
        apply_lora(unet, lora_rank, float(lora_rank))
        apply_lora(refnet, lora_rank, float(lora_rank))
        mark_only_lora_trainable(unet)
        mark_only_lora_trainable(refnet)
    else:
        for component, model in (("unet", unet), ("reference_net", refnet)):
            for name, p in model.named_parameters():
                p.requires_grad_(trainable(name, component, stage))
    models = (unet, refnet)
    params = [p for m in models for p in m.parameters()]
    total_params = sum(p.numel() for p in params) + frozen_params
    trainable_params = sum(p.numel() for p in params if p.requires_grad)
    for m in models:
        m.train()

    trace = _Trace(params, low_precision=mixed_precision != "no")
    handles = []
    for m in models:
        for module in m.modules():
            if isinstance(module, CHECKPOINTED_TYPES):
                handles.append(module.register_forward_pre_hook(trace.block_pre))
                handles.append(module.register_forward_hook(trace.block_post))
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                handles.append(module.register_forward_hook(trace.count_flops))
    h, w = cfg.latent_hw
    c = cfg.vae.latent_channels
    k = 1 if stage == 1 else (frames or cfg.frames_per_segment)
    meta = dict(device="meta")
    text = torch.empty(batch_size, cfg.text.max_length, cfg.text.hidden_size, **meta)
    ref_latents = torch.empty(batch_size, c, h, w, **meta)
    latents = torch.empty(batch_size, k, c, h, w, **meta)
    timestep = torch.empty(batch_size, **meta)
    refnet_grad = any(p.requires_grad for p in refnet.parameters())
    try:
        with _meta_friendly_ops(mode, trace), torch.autograd.graph.saved_tensors_hooks(trace.pack, lambda t: t):
            with torch.set_grad_enabled(refnet_grad):
                feats = refnet(ref_latents, text)
            if stage == 1:
                unet(latents, timestep, text, feats, stage2=False)
            else:
                unet(latents, timestep, text, feats,
                     music_tokens=torch.empty(batch_size, cfg.audio.num_tokens, cfg.audio.hidden_size, **meta),
                     beat_onehot=torch.empty(batch_size, k, **meta),
                     motion_latents=torch.empty(batch_size, cfg.motion_frames, c, h, w, **meta))
    finally:
        for handle in handles:
            handle.remove()

    if gradient_checkpointing:
        activations = trace.outside_bytes + trace.block_input_bytes + max(trace.block_bytes, default=0)
    else:
        activations = trace.outside_bytes + sum(trace.block_bytes)
    weights = total_params * 4
    gradients = trainable_params * 4
    optimizer = trainable_params * 4 * ADAM_STATE_PER_PARAM
    step_flops = trace.flops * (4 if gradient_checkpointing else 3)
    seconds = step_flops / (device_flops * ASSUMED_EFFICIENCY) if device_flops else None
    settings = dict(stage=stage, batch_size=batch_size, mixed_precision=mixed_precision, height=cfg.height,
                    width=cfg.width, frames=k, gradient_checkpointing=gradient_checkpointing, lora_rank=lora_rank)
    return MemoryEstimate(parameters=total_params, trainable_parameters=trainable_params, weights_bytes=weights,
                          gradients_bytes=gradients, optimizer_bytes=optimizer, activations_bytes=activations,
                          total_bytes=weights + gradients + optimizer + activations, forward_flops=trace.flops,
                          step_flops=step_flops, attention=mode, settings=settings, seconds_per_step=seconds)


def out_of_memory_advice(estimate: Optional[MemoryEstimate], device_memory_bytes: Optional[int]) -> str:
    """What to change after an out-of-memory error, ordered by how much each saves for this run."""
    tips = []
    if estimate is not None:
        s = estimate.settings
        if estimate.activations_bytes > estimate.weights_bytes:
            if not s.get("gradient_checkpointing"):
                tips.append("turn on gradientCheckpointing (activations are the largest part)")
            if s.get("mixed_precision") == "no":
                tips.append('set mixedPrecision to "bf16" (or "fp16" on GPUs without bf16)')
            if s.get("batch_size", 1) > 1:
                tips.append("lower batchSize")
            tips.append("lower the resolution or K (frames per segment)")
        if not s.get("lora_rank") and estimate.gradients_bytes + estimate.optimizer_bytes > 0.2 * estimate.total_bytes:
            tips.append("train LoRA adapters (lora: {rank: 8}) instead of full weights")
        need = f"~{estimate.total_bytes / GIB:.1f} GiB estimated"
    else:
        tips.append("lower batchSize, resolution or K; turn on gradientCheckpointing, mixed precision or LoRA")
        need = "unknown need"
    have = f"{device_memory_bytes / GIB:.1f} GiB available" if device_memory_bytes else "device memory unknown"
    return f"out of memory ({need}, {have}): " + "; ".join(tips)


def estimate_for_trainer(trainer, spec: Optional[dict] = None) -> MemoryEstimate:
    """The estimate for a built `musedance_models.train.Trainer`: parameter counts from its real model (what
    its stage trains), activations from the meta trace of its stage, time from this machine's matmul speed."""
    spec = spec or {}
    model = trainer.model
    params = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    stage = {"stage1": 1, "stage2": 2}.get(trainer.spec.stage)
    device = "cuda" if next(model.parameters()).is_cuda else "cpu"
    flops = measure_matmul_flops(device)
    lora = spec.get("lora") or None
    if stage is None:  # the VAE stage: single frames through the VAE only
        estimate = MemoryEstimate(parameters=params, trainable_parameters=trainable, weights_bytes=0,
                                  gradients_bytes=0, optimizer_bytes=0, activations_bytes=0, total_bytes=0,
                                  forward_flops=0, step_flops=0, attention="n/a",
                                  settings=dict(stage="vae", batch_size=trainer.spec.batch_size,
                                                mixed_precision=spec.get("mixedPrecision", "no"),
                                                height=trainer.cfg.height, width=trainer.cfg.width, frames=1))
    else:
        estimate = estimate_training_memory(
            trainer.cfg, stage=stage, batch_size=trainer.spec.batch_size,
            mixed_precision=spec.get("mixedPrecision", "no"),
            gradient_checkpointing=bool(spec.get("gradientCheckpointing", False)),
            lora_rank=lora["rank"] if lora else None, device_flops=flops, frames=trainer.spec.train_frames)
    estimate.parameters, estimate.trainable_parameters = params, trainable
    estimate.weights_bytes = params * 4
    estimate.gradients_bytes = trainable * 4
    estimate.optimizer_bytes = trainable * 4 * ADAM_STATE_PER_PARAM
    estimate.total_bytes = (estimate.weights_bytes + estimate.gradients_bytes + estimate.optimizer_bytes
                            + estimate.activations_bytes)
    return estimate
