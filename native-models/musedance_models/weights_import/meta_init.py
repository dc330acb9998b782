"""Build a module without allocating its weights: parameters and buffers land on PyTorch's `meta` device.

torch 1.13 has no `with torch.device("meta")`, so this patches `Module.register_parameter/register_buffer`
(the approach of accelerate's `init_empty_weights`): each tensor is created (uninitialised memory, never
touched) and immediately replaced by a meta tensor, so peak memory is one layer and init costs nothing.
Used to count SD1.5's parameters and enumerate its key names/shapes without 3.4 GB of RAM.
"""
import contextlib
from typing import Callable, Dict, Tuple, TypeVar

import torch
from torch import nn

T = TypeVar("T")


@contextlib.contextmanager
def meta_device():
    original_param = nn.Module.register_parameter
    original_buffer = nn.Module.register_buffer

    def register_parameter(module, name, param):
        if param is not None and param.device.type != "meta":
            param = nn.Parameter(param.detach().to("meta"), requires_grad=param.requires_grad)
        original_param(module, name, param)

    def register_buffer(module, name, tensor, persistent=True):
        if tensor is not None and tensor.device.type != "meta":
            tensor = tensor.to("meta")
        original_buffer(module, name, tensor, persistent=persistent)

    nn.Module.register_parameter = register_parameter
    nn.Module.register_buffer = register_buffer
    try:
        yield
    finally:
        nn.Module.register_parameter = original_param
        nn.Module.register_buffer = original_buffer


def build_on_meta(factory: Callable[[], T]) -> T:
    with meta_device():
        return factory()


def parameter_shapes(module: nn.Module) -> Dict[str, Tuple[int, ...]]:
    """Persistent state-dict entries (parameters + persistent buffers) -> shape."""
    return {name: tuple(t.shape) for name, t in module.state_dict().items()}


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
