"""Our state-dict names -> the names diffusers / transformers publish for SD1.5 and AST.

The models keep diffusers' and transformers' names wherever the layer exists there, so the mapping is short:
- UNet (diffusers UNet2DConditionModel): identical, except our `*_blocks.N.sampler.conv` is
  `down_blocks.N.downsamplers.0.conv` / `up_blocks.N.upsamplers.0.conv`. MuseDance's own layers (stage-2
  music/beat/motion modules `*.stage2.*`, the guide convs) have no SD1.5 counterpart: they map to None and keep
  their fresh initialisation (motion modules: motion_modules.py maps them onto AnimateDiff's).
- ReferenceNet: the same UNet names below its `unet.` prefix (initialised from SD1.5's UNet, paper 4.2).
- VAE (diffusers AutoencoderKL): identical. Checkpoints saved by older diffusers (SD1.5's own vae file among
  them) name the mid-block attention `query/key/value/proj_attn`: accepted as aliases.
- Text encoder (transformers CLIPTextModel): our name with a `text_model.` prefix.
- Audio encoder (transformers ASTModel / ASTForAudioClassification): `audio_spectrogram_transformer.` prefix
  (the classifier head is not used).
"""
import re
from typing import List, Optional

_SAMPLER = re.compile(r"^(down|up)_blocks\.(\d+)\.sampler\.conv\.(weight|bias)$")
_VAE_DEPRECATED = {".to_q.": ".query.", ".to_k.": ".key.", ".to_v.": ".value.", ".to_out.0.": ".proj_attn."}

COMPONENTS = ("unet", "reference_net", "vae", "text_encoder", "audio_encoder")


def unet_key(ours: str) -> Optional[str]:
    if ".stage2." in ours or ours.startswith(("guide_conv.", "reference_guide_conv.")):
        return None
    match = _SAMPLER.match(ours)
    if match:
        kind, index, leaf = match.groups()
        return f"{kind}_blocks.{index}.{kind}samplers.0.conv.{leaf}"
    return ours


def reference_net_key(ours: str) -> Optional[str]:
    if not ours.startswith("unet."):
        return None
    return unet_key(ours[len("unet."):])


def vae_key(ours: str) -> Optional[str]:
    return ours


def vae_key_aliases(ours: str) -> List[str]:
    """Names older diffusers checkpoints use for the same tensor."""
    aliases = []
    if ".mid_block.attentions." in ours:
        for new, old in _VAE_DEPRECATED.items():
            if new in ours:
                aliases.append(ours.replace(new, old))
    return aliases


def text_encoder_key(ours: str) -> Optional[str]:
    return "text_model." + ours


def audio_encoder_key(ours: str) -> Optional[str]:
    return "audio_spectrogram_transformer." + ours


KEY_FUNCTIONS = {
    "unet": unet_key, "reference_net": reference_net_key, "vae": vae_key,
    "text_encoder": text_encoder_key, "audio_encoder": audio_encoder_key,
}
ALIAS_FUNCTIONS = {"vae": vae_key_aliases}

# Entries of published checkpoints that are deliberately not used, with the reason the import report gives.
IGNORED_SOURCE_KEYS = {
    "text_encoder": [(re.compile(r"^text_model\.embeddings\.position_ids$"),
                      "position_ids: a constant 0..76 index buffer, not a weight")],
    "audio_encoder": [(re.compile(r"^classifier\..*"), "AudioSet classifier head: MuseDance uses AST's token states"),
                      (re.compile(r"^audio_spectrogram_transformer\.embeddings\.position_ids$"),
                       "position_ids: a constant index buffer, not a weight")],
}


def ignored_reason(component: str):
    """-> key -> reason for a deliberately ignored source tensor, None for any other."""
    rules = IGNORED_SOURCE_KEYS.get(component, [])
    return lambda key: next((why for rx, why in rules if rx.match(key)), None)
