"""Import pretrained weights from a user's local files into the `sd15` modules' state dicts (PACK.md "PyTorch
weights"). Nothing is downloaded.

Sources (what each project publishes; exact names and shapes in tests/fixtures/published_layouts.py):
  <sd15>/unet|vae/diffusion_pytorch_model[.fp16].safetensors | .bin (or a sharded *.index.json) + config.json
  <sd15>/text_encoder/model[.fp16].safetensors | pytorch_model.bin (+ config.json), <sd15>/tokenizer/vocab.json+merges.txt
  <ast>/model.safetensors | pytorch_model.bin (+ config.json)                      (optional: else AST starts fresh)
  <animate-anyone>/reference_unet.pth, denoising_unet.pth, motion_module.pth    (optional; pose_guider.pth unused)
  <motion module>: AnimateDiff mm_sd_v15*.ckpt | .safetensors                        (optional)
The architecture is read from the tensors (source_config.py), so any width imports; a tensor whose shape then
disagrees is refused with its name and both shapes, and a source tensor that is neither mapped nor on the
deliberately-ignored list is refused by name (nothing is dropped silently).

Which source fills what:
  unet spatial layers   <- denoising_unet.pth (Moore-AnimateAnyone) if given, else SD1.5's unet
  reference_net         <- reference_unet.pth if given, else SD1.5's unet (paper 4.2)
  unet motion modules   <- --motion-module if given, else motion_module.pth, else fresh (identity)
  vae, text_encoder     <- SD1.5;  audio_encoder <- AST if given, else fresh
  music/beat modules, the reference-guide conv: no counterpart anywhere -> fresh (zero-initialised outputs).
Moore-AnimateAnyone's cross-attention (attn2 of both UNets) was trained on ONE CLIP image embedding
(sd-image-variations' CLIPVisionModelWithProjection, 768 wide) instead of 77 CLIP text-token states: the widths
match, so the weights load, but a text prompt reaches those layers as inputs they never saw. Until stage 1 is
fine-tuned on captions (or LoRA), expect the prompt to have little and unpredictable effect on such a pack.
"""
import os
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import torch

from ..config import MuseDanceConfig, sd15
from . import key_mapping, motion_modules, source_config
from .meta_init import build_on_meta, parameter_shapes
from .tensor_sources import (DIFFUSERS_WEIGHT_NAMES, TRANSFORMERS_WEIGHT_NAMES, TensorSource, WeightsImportError,
                             find_weights, open_source, read_json)

WEIGHTS_FORMAT = "musedance-weights"
WEIGHTS_VERSION = 1
COMPONENTS = ("text_encoder", "audio_encoder", "vae", "reference_net", "unet")
AA_FILES = {"reference_net": "reference_unet.pth", "unet": "denoising_unet.pth", "motion": "motion_module.pth"}
AA_UNUSED = {"pose_guider.pth": "pose guider (DWPose skeleton -> conv_in residual): MuseDance takes no pose input, "
                                "so it has no counterpart and is not loaded"}


@dataclass
class ComponentReport:
    sources: List[str] = field(default_factory=list)
    loaded: int = 0                                          # tensors copied from a source
    fresh: List[str] = field(default_factory=list)          # our tensors with no counterpart: initialised here
    ignored: Dict[str, str] = field(default_factory=dict)   # source tensor -> why it is deliberately not used
    notes: List[str] = field(default_factory=list)

    @property
    def unexpected(self) -> List[str]:   # kept for callers of the first version: always empty now (refused)
        return []

    def to_json(self) -> dict:
        return {"sources": self.sources, "loaded": self.loaded, "fresh": self.fresh, "ignored": self.ignored,
                "notes": self.notes}


@dataclass
class Sources:
    sd15: str
    ast: Optional[str] = None
    animate_anyone: Optional[str] = None
    motion_module: Optional[str] = None

    def check(self) -> None:
        if not os.path.isdir(self.sd15):
            raise WeightsImportError(f"Stable Diffusion folder not found: {self.sd15}")
        if self.ast is not None and not os.path.isdir(self.ast):
            raise WeightsImportError(f"AST folder not found: {self.ast}")
        if self.animate_anyone is not None:
            if not os.path.isdir(self.animate_anyone):
                raise WeightsImportError(f"Moore-AnimateAnyone folder not found: {self.animate_anyone}")
            for name in ("reference_unet.pth", "denoising_unet.pth"):
                if not os.path.isfile(os.path.join(self.animate_anyone, name)):
                    raise WeightsImportError(f"{self.animate_anyone}: no {name}")
        if self.motion_module is not None and not os.path.isfile(self.motion_module):
            raise WeightsImportError(f"motion module file not found: {self.motion_module}")

    def path(self, component: str) -> Optional[str]:
        """The file (or None: fresh) that fills a component; "motion" = the UNet's motion modules."""
        aa = self.animate_anyone
        if component == "unet":
            return os.path.join(aa, AA_FILES["unet"]) if aa else self.unet_file()
        if component == "reference_net":
            return os.path.join(aa, AA_FILES["reference_net"]) if aa else self.unet_file()
        if component == "motion":
            if self.motion_module:
                return self.motion_module
            if aa and os.path.isfile(os.path.join(aa, AA_FILES["motion"])):
                return os.path.join(aa, AA_FILES["motion"])
            return None
        if component == "vae":
            return find_weights(os.path.join(self.sd15, "vae"), DIFFUSERS_WEIGHT_NAMES, "VAE")
        if component == "text_encoder":
            return find_weights(os.path.join(self.sd15, "text_encoder"), TRANSFORMERS_WEIGHT_NAMES, "text encoder")
        if component == "audio_encoder":
            return find_weights(self.ast, TRANSFORMERS_WEIGHT_NAMES, "AST") if self.ast else None
        raise KeyError(component)

    def unet_file(self) -> str:
        return find_weights(os.path.join(self.sd15, "unet"), DIFFUSERS_WEIGHT_NAMES, "UNet")

    def tokenizer_dir(self) -> Optional[str]:
        d = os.path.join(self.sd15, "tokenizer")
        ok = all(os.path.isfile(os.path.join(d, f)) for f in ("vocab.json", "merges.txt"))
        return d if ok else None

    def unused_files(self) -> Dict[str, str]:
        aa = self.animate_anyone
        return {os.path.join(aa, name): why for name, why in AA_UNUSED.items()
                if aa and os.path.isfile(os.path.join(aa, name))}


@dataclass
class ImportResult:
    config: MuseDanceConfig
    state_dicts: Dict[str, Dict[str, torch.Tensor]]
    reports: Dict[str, ComponentReport]
    tokenizer_dir: Optional[str]


def target_shapes(cfg: MuseDanceConfig, components=COMPONENTS) -> Dict[str, Dict[str, Tuple[int, ...]]]:
    """Our state-dict names and shapes for every component, built on the meta device."""
    return {name: parameter_shapes(build_on_meta(lambda: build_component(name, cfg))) for name in components}


def build_component(name: str, cfg: MuseDanceConfig) -> torch.nn.Module:
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
    return factories[name]()


# ---- the architecture, read from the sources ---------------------------------------------------------------

def read_config(sources: Sources, base: Optional[MuseDanceConfig] = None) -> MuseDanceConfig:
    """The sd15 config with every width/depth read from the SD1.5 (and AST) tensors; the motion-module layout
    follows the sources (AnimateDiff layout when a motion module is imported)."""
    sources.check()
    cfg = base or sd15()
    unet_path = sources.unet_file()
    with _opened(unet_path) as src:
        cfg.unet = source_config.unet_config(src, cfg.unet, read_json(os.path.join(sources.sd15, "unet", "config.json")))
        unet_latent = source_config.unet_latent_channels(src)
    with _opened(sources.path("vae")) as src:
        cfg.vae = source_config.vae_config(src, cfg.vae, read_json(os.path.join(sources.sd15, "vae", "config.json")))
    if unet_latent != cfg.vae.latent_channels:
        raise WeightsImportError(f"{unet_path}: conv_in.weight takes {unet_latent} channels, the VAE's latent has "
                                 f"{cfg.vae.latent_channels}")
    with _opened(sources.path("text_encoder")) as src:
        cfg.text = source_config.text_config(src, cfg.text,
                                             read_json(os.path.join(sources.sd15, "text_encoder", "config.json")))
    if cfg.text.hidden_size != cfg.unet.cross_attention_dim:
        raise WeightsImportError(f"the text encoder is {cfg.text.hidden_size} wide, the UNet's cross-attention "
                                 f"expects {cfg.unet.cross_attention_dim}")
    if sources.ast:
        with _opened(sources.path("audio_encoder")) as src:
            cfg.audio = source_config.audio_config(src, cfg.audio, read_json(os.path.join(sources.ast, "config.json")))
    if sources.path("motion"):
        cfg.unet.motion_layout = "animatediff"
    return cfg


class _opened:
    def __init__(self, path: str):
        self.source = open_source(path)

    def __enter__(self) -> TensorSource:
        return self.source

    def __exit__(self, *exc):
        self.source.close()


# ---- mapping one source onto one component --------------------------------------------------------------------

def _fit_shape(tensor: torch.Tensor, shape: Tuple[int, ...]) -> Optional[torch.Tensor]:
    if tuple(tensor.shape) == shape:
        return tensor
    # 1x1 convolutions stored where we use a Linear (old VAE attention checkpoints, linear-projection UNets)
    if tensor.dim() == 4 and tensor.shape[2:] == (1, 1) and tuple(tensor.shape[:2]) == shape:
        return tensor[:, :, 0, 0]
    if len(shape) == 4 and shape[2:] == (1, 1) and tuple(tensor.shape) == shape[:2]:
        return tensor[:, :, None, None]
    return None


def import_component(component: str, source: TensorSource, shapes: Dict[str, Tuple[int, ...]],
                     dtype: Optional[torch.dtype], source_name: str, key_fn=None, ignore=None,
                     report: Optional[ComponentReport] = None) -> Tuple[Dict[str, torch.Tensor], ComponentReport]:
    """Copy every tensor `key_fn` maps (ours -> published name) from `source`; ours mapped to None are `fresh`.
    Every source tensor must be used or named by `ignore(key) -> reason`; otherwise the import is refused.
    dtype None keeps the source's dtype."""
    to_source = key_fn or key_mapping.KEY_FUNCTIONS[component]
    aliases = key_mapping.ALIAS_FUNCTIONS.get(component, lambda _k: [])
    ignore = ignore or key_mapping.ignored_reason(component)
    available = set(source.keys())
    used = set()
    state: Dict[str, torch.Tensor] = {}
    report = report or ComponentReport()
    report.sources.append(source_name)
    for ours, shape in shapes.items():
        published = to_source(ours)
        if published is None:
            report.fresh.append(ours)
            continue
        found = next((k for k in [published] + aliases(published) if k in available), None)
        if found is None:
            raise WeightsImportError(f"{source_name}: missing tensor {published} (for {component}.{ours})")
        tensor = source.get(found)
        if published.endswith(motion_modules.PE_SUFFIX) and tensor.dim() == 3 and tensor.shape[2] == shape[2]:
            tensor, deviation = motion_modules.extend_positions(tensor, shape[1])
            if not any(n.startswith("position tables") for n in report.notes):
                report.notes.append(f"position tables: {source.shape(found)[1]} published rows -> {shape[1]} "
                                    f"({motion_modules.EXTENSION_METHOD})")
            if deviation > 1e-2:
                report.notes.append(f"{found}: published rows differ from the sinusoidal formula by {deviation:.3g}")
        fitted = _fit_shape(tensor, shape)
        if fitted is None:
            raise WeightsImportError(f"{source_name}: tensor {found} has shape {tuple(source.shape(found))}, "
                                     f"{component}.{ours} expects {shape}")
        state[ours] = fitted.to(dtype) if dtype is not None and fitted.is_floating_point() else fitted
        used.add(found)
        report.loaded += 1
    for key in sorted(available - used):
        reason = ignore(key)
        if reason is None:
            raise WeightsImportError(f"{source_name}: tensor {key} {tuple(source.shape(key))} has no place in "
                                     f"MuseDance's {component} (renamed, or another architecture?)")
        report.ignored[key] = reason
    return state, report


def import_one(component: str, sources: Sources, cfg: MuseDanceConfig, dtype: Optional[torch.dtype] = None,
               shapes: Optional[Dict[str, Tuple[int, ...]]] = None) -> Tuple[Dict[str, torch.Tensor], ComponentReport]:
    """One component's state dict from its source(s), plus its report. An absent optional source -> all fresh."""
    shapes = shapes or target_shapes(cfg, (component,))[component]
    path = sources.path(component)
    if path is None:   # no AST given: the music encoder starts from scratch
        return {}, ComponentReport(fresh=list(shapes), notes=[f"no source for {component}: initialised fresh"])
    if component != "unet":
        with _opened(path) as src:
            return import_component(component, src, shapes, dtype, path)
    motion_path = sources.path("motion")
    spatial_fn = lambda ours: None if motion_modules.is_motion_key(ours) else key_mapping.unet_key(ours)
    with _opened(path) as src:
        state, report = import_component("unet", src, shapes, dtype, path, key_fn=spatial_fn)
    if motion_path is None:
        return state, report
    motion_shapes = {k: s for k, s in shapes.items() if motion_modules.is_motion_key(k)}
    if not motion_shapes:
        raise WeightsImportError(f"{motion_path}: this config has no motion modules (use_motion is off)")
    with _opened(motion_path) as src:
        motion_state, motion_report = import_component(
            "motion module", src, motion_shapes, dtype, motion_path, key_fn=motion_modules.motion_key_for(src.keys()),
            ignore=lambda key: _motion_ignore(key, shapes))
    state.update(motion_state)
    report.sources += motion_report.sources
    report.loaded += motion_report.loaded
    report.fresh = [k for k in report.fresh if k not in motion_state]
    if motion_report.fresh:
        report.notes.append(f"{motion_path} has no mid-block motion module (AnimateDiff v1 layout): ours starts fresh")
    report.ignored.update(motion_report.ignored)
    report.notes += motion_report.notes
    if sources.motion_module and sources.animate_anyone:
        report.notes.append(f"motion modules from {sources.motion_module}; the Moore-AnimateAnyone motion_module.pth "
                            "was not used (--motion-module wins)")
    return state, report


def _motion_ignore(key: str, shapes) -> Optional[str]:
    level = motion_modules.published_level(key)
    if level is not None and not any(k.startswith(level + ".stage2.") for k in shapes):
        return (f"MuseDance has no stage-2 modules at {level} (a level without spatial attention, unet.py): its "
                "published motion module has no counterpart")
    return None


# ---- whole imports ---------------------------------------------------------------------------------------------

def import_sources(sources: Sources, cfg: Optional[MuseDanceConfig] = None, dtype: Optional[torch.dtype] = torch.float16,
                   components=COMPONENTS) -> ImportResult:
    """Read every component at once (small models, tests, `python -m musedance_models.weights_import`);
    pack_build imports one component at a time instead."""
    cfg = cfg or read_config(sources)
    sources.check()
    shapes = target_shapes(cfg, components)
    state_dicts, reports = {}, {}
    for component in components:
        state_dicts[component], reports[component] = import_one(component, sources, cfg, dtype, shapes[component])
    return ImportResult(cfg, state_dicts, reports, check_tokenizer(sources, cfg))


def check_tokenizer(sources: Sources, cfg: MuseDanceConfig) -> Optional[str]:
    tokenizer_dir = sources.tokenizer_dir()
    if tokenizer_dir is None:
        return None
    from ..tokenizer import ClipTokenizer

    vocab = ClipTokenizer.from_dir(tokenizer_dir).vocab_size
    if vocab != cfg.text.vocab_size:
        raise WeightsImportError(f"tokenizer vocabulary has {vocab} ids, the text encoder {cfg.text.vocab_size}")
    return tokenizer_dir


def import_sd15(sd15_dir: str, ast_dir: Optional[str] = None, cfg: Optional[MuseDanceConfig] = None,
                dtype: torch.dtype = torch.float16, animate_anyone_dir: Optional[str] = None,
                motion_module: Optional[str] = None) -> ImportResult:
    """Read a diffusers SD1.5 folder (and optionally AST / Moore-AnimateAnyone / an AnimateDiff motion module)."""
    sources = Sources(sd15_dir, ast_dir, animate_anyone_dir, motion_module)
    sources.check()
    components = COMPONENTS if ast_dir is not None else tuple(c for c in COMPONENTS if c != "audio_encoder")
    return import_sources(sources, cfg, dtype, components)


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
