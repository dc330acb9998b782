"""Read a model's architecture from the tensors of its checkpoint (and its config.json where a number is not in
any shape), so any SD1.5-architecture UNet/VAE, CLIP-layout text encoder or AST of any width imports.

Widths, depths and vocabulary sizes come from the shapes; only what no tensor shape carries comes from the
folder's config.json (diffusers `attention_head_dim` = heads, `norm_num_groups`, the VAE's `scaling_factor`;
transformers `num_attention_heads`, AST `max_length` / strides), else from the default config. A tensor that then
has another shape than the config demands is refused by the importer with both shapes."""
import re
from dataclasses import replace
from typing import Iterable, Optional

from .tensor_sources import TensorSource, WeightsImportError


def _shape(source: TensorSource, key: str, what: str):
    if key not in source.keys():
        raise WeightsImportError(f"{what}: missing tensor {key} (needed to read the architecture)")
    return tuple(source.shape(key))


def _indices(keys: Iterable[str], pattern: str):
    rx = re.compile(pattern)
    return sorted({int(m.group(1)) for k in keys for m in [rx.match(k)] if m})


def _json(config_json: Optional[dict], *names, default=None):
    for name in names:
        if config_json and name in config_json and config_json[name] is not None:
            value = config_json[name]
            return value[0] if isinstance(value, list) else value
    return default


def unet_config(source: TensorSource, base, config_json: Optional[dict] = None, what: str = "UNet", prefix: str = ""):
    """-> UNetConfig (block widths, attention levels, layers per block, cross-attention width) from the tensors."""
    keys = [k[len(prefix):] for k in source.keys() if k.startswith(prefix)]
    levels = _indices(keys, r"^down_blocks\.(\d+)\.")
    if not levels:
        raise WeightsImportError(f"{what}: no down_blocks.* tensors; not a diffusers UNet2DConditionModel")
    widths = tuple(_shape(source, f"{prefix}down_blocks.{i}.resnets.0.conv1.weight", what)[0] for i in levels)
    attention = tuple(any(k.startswith(f"down_blocks.{i}.attentions.") for k in keys) for i in levels)
    layers = len(_indices(keys, r"^down_blocks\.0\.resnets\.(\d+)\."))
    first = attention.index(True) if True in attention else None
    if first is None:
        raise WeightsImportError(f"{what}: no cross-attention layers (down_blocks.*.attentions.*)")
    context = _shape(source, f"{prefix}down_blocks.{first}.attentions.0.transformer_blocks.0.attn2.to_k.weight", what)[1]
    heads = int(_json(config_json, "attention_head_dim", default=base.attention_head_dim))
    groups = int(_json(config_json, "norm_num_groups", default=base.norm_groups))
    for width in widths:
        if width % heads or width % groups:
            raise WeightsImportError(f"{what}: width {width} is not divisible by {heads} heads / {groups} groups")
    return replace(base, block_out_channels=widths, attention_levels=attention, layers_per_block=layers,
                   cross_attention_dim=context, attention_head_dim=heads, norm_groups=groups)


def unet_latent_channels(source: TensorSource, what: str = "UNet") -> int:
    return _shape(source, "conv_in.weight", what)[1]


def vae_config(source: TensorSource, base, config_json: Optional[dict] = None, what: str = "VAE"):
    keys = source.keys()
    levels = _indices(keys, r"^encoder\.down_blocks\.(\d+)\.")
    if not levels:
        raise WeightsImportError(f"{what}: no encoder.down_blocks.* tensors; not a diffusers AutoencoderKL")
    widths = tuple(_shape(source, f"encoder.down_blocks.{i}.resnets.0.conv1.weight", what)[0] for i in levels)
    layers = len(_indices(keys, r"^encoder\.down_blocks\.0\.resnets\.(\d+)\."))
    latent = _shape(source, "decoder.conv_in.weight", what)[1]
    return replace(base, block_out_channels=widths, layers_per_block=layers, latent_channels=latent,
                   norm_groups=int(_json(config_json, "norm_num_groups", default=base.norm_groups)),
                   scaling_factor=float(_json(config_json, "scaling_factor", default=base.scaling_factor)))


def text_config(source: TensorSource, base, config_json: Optional[dict] = None, what: str = "text encoder"):
    p = "text_model."
    vocab, width = _shape(source, p + "embeddings.token_embedding.weight", what)
    length = _shape(source, p + "embeddings.position_embedding.weight", what)[0]
    if length != 77:
        raise WeightsImportError(f"{what}: {p}embeddings.position_embedding.weight has {length} positions; "
                                 "packs use CLIP's 77 (PACK.md)")
    act = _json(config_json, "hidden_act", default="quick_gelu")
    if act != "quick_gelu":
        raise WeightsImportError(f"{what}: hidden_act {act!r}; MuseDance's text encoder is CLIP's quick_gelu layout")
    layers = len(_indices(source.keys(), r"^text_model\.encoder\.layers\.(\d+)\."))
    inner = _shape(source, p + "encoder.layers.0.mlp.fc1.weight", what)[0]
    heads = int(_json(config_json, "num_attention_heads", default=max(1, width // 64)))
    return replace(base, vocab_size=vocab, max_length=length, hidden_size=width, num_layers=layers,
                   num_heads=heads, intermediate_size=inner)


def audio_config(source: TensorSource, base, config_json: Optional[dict] = None, what: str = "AST"):
    p = "audio_spectrogram_transformer."
    width, _, patch, _ = _shape(source, p + "embeddings.patch_embeddings.projection.weight", what)
    tokens = _shape(source, p + "embeddings.position_embeddings", what)[1]
    layers = len(_indices(source.keys(), r"^audio_spectrogram_transformer\.encoder\.layer\.(\d+)\."))
    inner = _shape(source, p + "encoder.layer.0.intermediate.dense.weight", what)[0]
    heads = int(_json(config_json, "num_attention_heads", default=max(1, width // 64)))
    stride = int(_json(config_json, "time_stride", "frequency_stride", default=base.patch_stride))
    mel = int(_json(config_json, "num_mel_bins", default=base.num_mel_bins))
    frames = int(_json(config_json, "max_length", default=base.fbank_frames))
    cfg = replace(base, hidden_size=width, patch_size=patch, patch_stride=stride, num_mel_bins=mel, num_layers=layers,
                  num_heads=heads, intermediate_size=inner, fbank_frames=frames)
    if cfg.num_tokens != tokens:
        f = (mel - patch) // stride + 1
        if (tokens - 2) % f:
            raise WeightsImportError(f"{what}: {p}embeddings.position_embeddings has {tokens} tokens, which no "
                                     f"fbank length gives with {f} frequency patches")
        cfg = replace(cfg, fbank_frames=((tokens - 2) // f - 1) * stride + patch)
    return cfg
