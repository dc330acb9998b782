"""What issue 12 adds to `musedance_models.train.Trainer`, in one object (`trainer.scale`). With the default
TrainSpec (device "cpu", no mixed precision, no checkpointing, no LoRA, not distributed) every hook is a no-op
and the trainer computes exactly what it did before.

Distributed data parallel (under torchrun; the process group is initialised by `scale/launch.py`):
- every rank draws the SAME global batch (same seed, same RNG stream) and keeps its slice `shard` of it, so N
  ranks with a global batch B compute exactly what one process with batch B computes (DDP averages the ranks'
  gradients; each rank's loss is the mean over its equal share). Noise and timesteps are drawn for the global
  batch before slicing for the same reason. (Dropout masks inside the stage-2 modules are drawn per rank, so
  stage 2 matches a single process statistically, not bitwise.)
- the whole loss computation is wrapped in DistributedDataParallel (`_LossModule`), gradients are all-reduced by
  DDP's bucketed hooks during backward; rank 0 alone writes checkpoints and reports events; every rank reads the
  same checkpoint on resume, and since all ranks share one RNG stream, rank 0's saved RNG state is everyone's;
- `should_stop` is agreed by all ranks (all_reduce MAX) so they stop at the same step.
"""
from typing import Callable, Optional

import torch
from torch import nn


def resolve_device(name: str) -> torch.device:
    import torch.distributed as dist

    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda":
        if not torch.cuda.is_available():
            raise ValueError("device \"cuda\" requested but no CUDA GPU is available")
        index = 0
        if dist.is_available() and dist.is_initialized():
            index = int(__import__("os").environ.get("LOCAL_RANK", dist.get_rank() % torch.cuda.device_count()))
        torch.cuda.set_device(index)
        return torch.device("cuda", index)
    return torch.device("cpu")


class _LossModule(nn.Module):
    """The trainer's loss as a module, so DistributedDataParallel sees every trained parameter in one forward."""

    def __init__(self, trainer):
        super().__init__()
        self.model = trainer.model
        self._loss = trainer.loss_function()

    def forward(self):
        return self._loss()


class ScaleSetup:
    def __init__(self, spec):
        import torch.distributed as dist

        from .amp import MixedPrecision

        self.distributed = dist.is_available() and dist.is_initialized()
        self.rank = dist.get_rank() if self.distributed else 0
        self.world = dist.get_world_size() if self.distributed else 1
        self.device = resolve_device(getattr(spec, "device", "cpu"))
        self.amp = MixedPrecision(getattr(spec, "mixed_precision", "no"), self.device.type)
        self.gradient_checkpointing = bool(getattr(spec, "gradient_checkpointing", False))
        self.lora_rank = int(getattr(spec, "lora_rank", 0) or 0)
        alpha = getattr(spec, "lora_alpha", None)
        self.lora_alpha = float(alpha) if alpha else float(self.lora_rank)
        if spec.batch_size % self.world:
            raise ValueError(f"batch_size {spec.batch_size} (the global batch) must be a multiple of the "
                             f"{self.world} distributed processes")
        local = spec.batch_size // self.world
        self.shard = slice(None) if self.world == 1 else slice(self.rank * local, (self.rank + 1) * local)
        self.ddp: Optional[nn.Module] = None

    @property
    def is_rank0(self) -> bool:
        return self.rank == 0

    # -- model -------------------------------------------------------------------------------------------
    def prepare_model(self, trainer) -> None:
        """After weights are loaded: device, gradient checkpointing, autocast-safe norms."""
        from .checkpointing import enable_gradient_checkpointing

        model = trainer.model
        model.to(self.device)
        sched = trainer.noise_sched
        sched.alphas_cumprod = sched.alphas_cumprod.to(self.device)
        if self.gradient_checkpointing:
            enable_gradient_checkpointing(model.unet)
            enable_gradient_checkpointing(model.reference_net)
        self.amp.prepare(model)

    def after_trainable(self, trainer) -> None:
        """After the stage chose what trains, before the optimizer exists: LoRA, then DDP."""
        if self.lora_rank:
            from .lora import apply_lora, mark_only_lora_trainable

            model = trainer.model
            for part in (model.unet, model.reference_net):
                apply_lora(part, self.lora_rank, self.lora_alpha)
                mark_only_lora_trainable(part)
            for part in (model.vae, model.text_encoder, model.audio_encoder):
                part.requires_grad_(False)
            model.to(self.device)
        if self.distributed:
            from torch.nn.parallel import DistributedDataParallel

            ids = [self.device.index] if self.device.type == "cuda" else None
            self.ddp = DistributedDataParallel(_LossModule(trainer), device_ids=ids, broadcast_buffers=False,
                                               find_unused_parameters=True)

    # -- one step ----------------------------------------------------------------------------------------
    def loss(self, loss_fn: Callable[[], torch.Tensor]) -> torch.Tensor:
        with self.amp.autocast():
            loss = self.ddp() if self.ddp is not None else loss_fn()
        return loss.float()

    def backward_and_step(self, loss: torch.Tensor, optimizer, params, grad_clip: float) -> None:
        self.amp.backward(loss)
        self.amp.unscale(optimizer)
        torch.nn.utils.clip_grad_norm_(params, grad_clip)
        self.amp.step(optimizer)

    def global_loss(self, loss: torch.Tensor) -> float:
        """The global batch's mean loss (the mean of the ranks' equal-share means)."""
        if not self.distributed:
            return float(loss.detach())   # torch 2.x warns on float() of a tensor that requires grad
        import torch.distributed as dist

        value = loss.detach().clone().reshape(1)
        dist.all_reduce(value)
        return float(value) / self.world

    def agreed(self, flag: bool) -> bool:
        """True on every rank when any rank says True (so all ranks stop at the same step)."""
        if not self.distributed:
            return flag
        import torch.distributed as dist

        value = torch.tensor([1.0 if flag else 0.0], device=self.device if self.device.type == "cuda" else "cpu")
        dist.all_reduce(value, op=dist.ReduceOp.MAX)
        return bool(value.item() > 0)

    def randn_like_global(self, local: torch.Tensor, global_batch: int) -> torch.Tensor:
        """This rank's rows of `randn_like` for the whole global batch, in the memory layout `randn_like(local)`
        would use (a conv output can be channels-last; normal_ fills memory in order, so layout changes the
        numbers). Alone (world 1) this is exactly `torch.randn_like(local)`."""
        if self.world == 1:
            return torch.randn_like(local)
        layout = torch.empty_like(local)
        fmt = torch.contiguous_format
        if layout.dim() == 4 and not layout.is_contiguous() and layout.is_contiguous(memory_format=torch.channels_last):
            fmt = torch.channels_last
        full = torch.empty((global_batch,) + tuple(local.shape[1:]), dtype=local.dtype, device=local.device,
                           memory_format=fmt)
        return full.normal_()[self.shard]

    def to_device(self, tensor: torch.Tensor) -> torch.Tensor:
        return tensor.to(self.device)
