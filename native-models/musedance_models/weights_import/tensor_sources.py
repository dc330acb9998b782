"""Uniform read access to the weight files of a diffusers / transformers folder.

A source is a `.safetensors` file, a pickled `.bin` / `.pt` state dict (torch.load, weights only where the
installed torch supports it), or a sharded checkpoint's `*.index.json` (`{"weight_map": {name: file}}`).
"""
import json
import os
from typing import Dict, List, Optional, Sequence, Tuple

import torch

from .safetensors_io import SafetensorsError, SafetensorsFile


class WeightsImportError(ValueError):
    """A weights folder/file is missing, unreadable or does not match the model (message says which)."""


class TensorSource:
    def keys(self) -> List[str]:
        raise NotImplementedError

    def shape(self, key: str) -> Tuple[int, ...]:
        raise NotImplementedError

    def get(self, key: str) -> torch.Tensor:
        raise NotImplementedError

    def close(self) -> None:
        pass


class SafetensorsSource(TensorSource):
    def __init__(self, path: str):
        try:
            self._file = SafetensorsFile(path)
        except SafetensorsError as err:
            raise WeightsImportError(str(err)) from err

    def keys(self):
        return self._file.keys()

    def shape(self, key):
        return self._file.shape(key)

    def get(self, key):
        return self._file.get(key)

    def close(self):
        self._file.close()


class PickleSource(TensorSource):
    def __init__(self, path: str):
        try:
            try:
                state = torch.load(path, map_location="cpu", weights_only=True)
            except TypeError:  # torch without weights_only
                state = torch.load(path, map_location="cpu")
        except Exception as err:
            raise WeightsImportError(f"cannot read {path}: {type(err).__name__}: {err}") from err
        if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
            state = state["state_dict"]
        if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
            raise WeightsImportError(f"{path} does not hold a state dict of tensors")
        self._state: Dict[str, torch.Tensor] = state

    def keys(self):
        return list(self._state)

    def shape(self, key):
        return tuple(self._state[key].shape)

    def get(self, key):
        return self._state[key]


class ShardedSource(TensorSource):
    def __init__(self, index_path: str):
        try:
            with open(index_path, encoding="utf-8") as handle:
                weight_map = json.load(handle)["weight_map"]
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise WeightsImportError(f"cannot read shard index {index_path}: {err}") from err
        folder = os.path.dirname(index_path)
        self._owner: Dict[str, TensorSource] = {}
        shards: Dict[str, TensorSource] = {}
        for key, name in weight_map.items():
            if name not in shards:
                shards[name] = open_source(os.path.join(folder, name))
            self._owner[key] = shards[name]
        self._shards = list(shards.values())

    def keys(self):
        return list(self._owner)

    def shape(self, key):
        return self._owner[key].shape(key)

    def get(self, key):
        return self._owner[key].get(key)

    def close(self):
        for shard in self._shards:
            shard.close()


def open_source(path: str) -> TensorSource:
    if not os.path.isfile(path):
        raise WeightsImportError(f"weights file not found: {path}")
    if path.endswith(".index.json"):
        return ShardedSource(path)
    if path.endswith(".safetensors"):
        return SafetensorsSource(path)
    return PickleSource(path)


# File names diffusers / transformers use, preferred first (safetensors before pickles, fp32 before fp16).
DIFFUSERS_WEIGHT_NAMES = ("diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.safetensors.index.json",
                          "diffusion_pytorch_model.fp16.safetensors", "diffusion_pytorch_model.bin",
                          "diffusion_pytorch_model.bin.index.json", "diffusion_pytorch_model.fp16.bin")
TRANSFORMERS_WEIGHT_NAMES = ("model.safetensors", "model.safetensors.index.json", "model.fp16.safetensors",
                             "pytorch_model.bin", "pytorch_model.bin.index.json", "pytorch_model.fp16.bin")


def find_weights(folder: str, names: Sequence[str], what: str) -> str:
    for name in names:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    raise WeightsImportError(f"no {what} weights in {folder} (looked for {', '.join(names)})")


def read_json(path: str) -> Optional[dict]:
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as err:
        raise WeightsImportError(f"cannot read {path}: {err}") from err
