"""Import Stable Diffusion 1.5 (a local diffusers-format folder) and AST (a transformers-format folder) into the
`sd15` modules' state dicts, in the weights-file format of PACK.md ("PyTorch weights").

Expected folders (what `huggingface-cli download runwayml/stable-diffusion-v1-5` and
`MIT/ast-finetuned-audioset-10-10-0.4593` produce; nothing is downloaded here):
  <sd15>/unet/diffusion_pytorch_model[.fp16].safetensors | .bin      (or a sharded *.index.json)
  <sd15>/vae/diffusion_pytorch_model[.fp16].safetensors | .bin
  <sd15>/text_encoder/model[.fp16].safetensors | pytorch_model.bin
  <sd15>/tokenizer/vocab.json + merges.txt
  <ast>/model.safetensors | pytorch_model.bin (+ config.json)
Target shapes come from modules built on the meta device, so importing never instantiates a full-size model.
The UNet's weights also initialise the ReferenceNet (paper 4.2). Layers SD1.5 lacks (stage-2 modules) are
listed in the report as `fresh` and keep their random initialisation when the weights are loaded.
"""
import os
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import torch

from ..config import MuseDanceConfig, sd15
from . import key_mapping
from .meta_init import build_on_meta, parameter_shapes
from .tensor_sources import (DIFFUSERS_WEIGHT_NAMES, TRANSFORMERS_WEIGHT_NAMES, TensorSource, WeightsImportError,
                             find_weights, open_source)

WEIGHTS_FORMAT = "musedance-weights"
WEIGHTS_VERSION = 1


@dataclass
class ComponentReport:
    loaded: int = 0                                        # tensors copied from the source
    fresh: List[str] = field(default_factory=list)        # our tensors with no counterpart in the source
    unexpected: List[str] = field(default_factory=list)   # source tensors we did not use (and do not ignore)


@dataclass
class ImportResult:
    config: MuseDanceConfig
    state_dicts: Dict[str, Dict[str, torch.Tensor]]
    reports: Dict[str, ComponentReport]
    tokenizer_dir: Optional[str]


def target_shapes(cfg: MuseDanceConfig) -> Dict[str, Dict[str, Tuple[int, ...]]]:
    """Our state-dict names and shapes for every component, built on the meta device."""
    from ..models.audio_encoder import AstAudioEncoder
    from ..models.reference_net import ReferenceNet
    from ..models.text_encoder import ClipTextEncoder
    from ..models.unet import UNet
    from ..models.vae import AutoencoderKL

    factories: Dict[str, Callable[[], torch.nn.Module]] = {
        "unet": lambda: UNet(cfg), "reference_net": lambda: ReferenceNet(cfg),
        "vae": lambda: AutoencoderKL(cfg.vae), "text_encoder": lambda: ClipTextEncoder(cfg.text),
        "audio_encoder": lambda: AstAudioEncoder(cfg.audio),
    }
    return {name: parameter_shapes(build_on_meta(factory)) for name, factory in factories.items()}


def _fit_shape(tensor: torch.Tensor, shape: Tuple[int, ...]) -> Optional[torch.Tensor]:
    if tuple(tensor.shape) == shape:
        return tensor
    # 1x1 convolutions stored where we use a Linear (old VAE attention checkpoints), and the reverse
    if tensor.dim() == 4 and tensor.shape[2:] == (1, 1) and tuple(tensor.shape[:2]) == shape:
        return tensor[:, :, 0, 0]
    if len(shape) == 4 and shape[2:] == (1, 1) and tuple(tensor.shape) == shape[:2]:
        return tensor[:, :, None, None]
    return None


def import_component(component: str, source: TensorSource, shapes: Dict[str, Tuple[int, ...]],
                     dtype: torch.dtype, source_name: str) -> Tuple[Dict[str, torch.Tensor], ComponentReport]:
    to_source = key_mapping.KEY_FUNCTIONS[component]
    aliases = key_mapping.ALIAS_FUNCTIONS.get(component, lambda _k: [])
    available = set(source.keys())
    used = set()
    state: Dict[str, torch.Tensor] = {}
    report = ComponentReport()
    for ours, shape in shapes.items():
        published = to_source(ours)
        if published is None:
            report.fresh.append(ours)
            continue
        found = next((k for k in [published] + aliases(published) if k in available), None)
        if found is None:
            raise WeightsImportError(f"{source_name}: missing tensor {published} (for {component}.{ours})")
        tensor = _fit_shape(source.get(found), shape)
        if tensor is None:
            raise WeightsImportError(f"{source_name}: tensor {found} has shape {tuple(source.shape(found))}, "
                                     f"{component} expects {shape} (is this an SD1.5-architecture model?)")
        state[ours] = tensor.to(dtype) if tensor.is_floating_point() else tensor
        used.add(found)
        report.loaded += 1
    ignored = key_mapping.IGNORED_SOURCE_KEYS.get(component)
    report.unexpected = sorted(k for k in available - used if not (ignored and ignored.match(k)))
    return state, report


def _import_from(component, path, shapes, dtype, state_dicts, reports, source_name=None):
    source = open_source(path)
    try:
        state, report = import_component(component, source, shapes[component], dtype, source_name or path)
    finally:
        source.close()
    state_dicts[component], reports[component] = state, report


def import_sd15(sd15_dir: str, ast_dir: Optional[str] = None, cfg: Optional[MuseDanceConfig] = None,
                dtype: torch.dtype = torch.float16) -> ImportResult:
    """Read a diffusers SD1.5 folder (and optionally an AST folder) into our state dicts."""
    cfg = cfg or sd15()
    if not os.path.isdir(sd15_dir):
        raise WeightsImportError(f"Stable Diffusion folder not found: {sd15_dir}")
    shapes = target_shapes(cfg)
    state_dicts: Dict[str, Dict[str, torch.Tensor]] = {}
    reports: Dict[str, ComponentReport] = {}
    unet_path = find_weights(os.path.join(sd15_dir, "unet"), DIFFUSERS_WEIGHT_NAMES, "UNet")
    _import_from("unet", unet_path, shapes, dtype, state_dicts, reports)
    _import_from("reference_net", unet_path, shapes, dtype, state_dicts, reports)
    _import_from("vae", find_weights(os.path.join(sd15_dir, "vae"), DIFFUSERS_WEIGHT_NAMES, "VAE"),
                 shapes, dtype, state_dicts, reports)
    _import_from("text_encoder", find_weights(os.path.join(sd15_dir, "text_encoder"), TRANSFORMERS_WEIGHT_NAMES,
                                              "text encoder"), shapes, dtype, state_dicts, reports)
    if ast_dir is not None:
        _import_from("audio_encoder", find_weights(ast_dir, TRANSFORMERS_WEIGHT_NAMES, "AST"),
                     shapes, dtype, state_dicts, reports)
    tokenizer_dir = os.path.join(sd15_dir, "tokenizer")
    if os.path.isfile(os.path.join(tokenizer_dir, "vocab.json")) and os.path.isfile(os.path.join(tokenizer_dir, "merges.txt")):
        from ..tokenizer import ClipTokenizer

        vocab = ClipTokenizer.from_dir(tokenizer_dir).vocab_size
        if vocab != cfg.text.vocab_size:
            raise WeightsImportError(f"tokenizer vocabulary has {vocab} ids, the text encoder {cfg.text.vocab_size}")
    else:
        tokenizer_dir = None
    return ImportResult(cfg, state_dicts, reports, tokenizer_dir)


def weights_payload(result: ImportResult) -> dict:
    """The PACK.md weights-file dict; `fresh` lists tensors that were not in the sources."""
    return {"format": WEIGHTS_FORMAT, "version": WEIGHTS_VERSION, "config": result.config.to_dict(),
            "state_dicts": result.state_dicts,
            "fresh": {name: report.fresh for name, report in result.reports.items()},
            "source": "diffusers-sd15-import",
            # the training library's load_init reads this: SD1.5's own CLIP vocabulary goes with its text encoder
            "tokenizer_dir": os.path.abspath(result.tokenizer_dir) if result.tokenizer_dir else None}


def load_imported(module: torch.nn.Module, state: Dict[str, torch.Tensor]) -> List[str]:
    """Copy imported tensors into a built module; returns the module's keys left at their initialisation."""
    missing, unexpected = module.load_state_dict(state, strict=False)
    if unexpected:
        raise WeightsImportError(f"imported tensors the module does not have: {', '.join(unexpected[:5])}")
    return list(missing)
