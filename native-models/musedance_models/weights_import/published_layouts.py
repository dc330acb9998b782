"""Key names and shapes of the checkpoints the importer reads, as their projects publish them, written down from
the projects' public source (not from our models), at any width. Used by tests (every key accounted for, at full
size without allocating anything) and by scripts/make_fake_sources.py (random weights with these names).

Sources (repository @ commit, file):
- SD1.5 UNet / VAE: huggingface/diffusers UNet2DConditionModel / AutoencoderKL as saved in
  runwayml/stable-diffusion-v1-5 (unet: 686 tensors; vae: 248, its file uses the pre-0.14 attention names
  query/key/value/proj_attn in the mid blocks); text encoder: transformers CLIPTextModel (196 tensors +
  text_model.embeddings.position_ids); AST: transformers ASTForAudioClassification
  (MIT/ast-finetuned-audioset-10-10-0.4593: max_length 1024, strides 10, 527 classes).
- Moore-AnimateAnyone @ 43440889947b51737bbfdb577b30d687d59de4ba src/models/unet_3d.py (UNet3DConditionModel keeps
  UNet2DConditionModel's names; from_pretrained_2d merges motion_module.pth's keys by name), @ c368551d71abaf19
  src/models/attention.py (TemporalBasicTransformerBlock: attn1/attn2/norm1-3/ff as SD1.5; attn_temp/norm_temp only
  with unet_use_temporal_attention, off in its configs), @ 7ccc423576badf64 src/models/pose_guider.py (PoseGuider),
  @ 0722e4bc05070413 configs/train/stage2.yaml (motion module initialised from mm_sd_v15_v2.ckpt).
  reference_unet.pth / denoising_unet.pth: the 686 SD1.5 UNet names; motion_module.pth: AnimateDiff v2's names.
- guoyww/AnimateDiff @ 0741d34cebbddbe32a6d6d1f7715d57a1de7ed8a animatediff/models/motion_module.py
  (VanillaTemporalModule/TemporalTransformer3DModel/PositionalEncoding), configs/inference/inference-v1.yaml
  @ 63bb388fbe36d742 (max_len 24, no mid block) and inference-v2.yaml @ 2f99213dd23db4f6 (max_len 32, mid block);
  modules at every level (motion_module_resolutions 1,2,4,8), 2 per down level, 3 per up level, 1 in the mid block.
"""
from dataclasses import dataclass
from typing import Dict, Tuple

Shapes = Dict[str, Tuple[int, ...]]


@dataclass
class Widths:
    unet: Tuple[int, ...] = (320, 640, 1280, 1280)
    vae: Tuple[int, ...] = (128, 256, 512, 512)
    latent: int = 4
    text: int = 768
    text_layers: int = 12
    text_inner: int = 3072
    vocab: int = 49408
    audio: int = 768
    audio_layers: int = 12
    audio_inner: int = 3072
    audio_tokens: int = 1214          # 2 + 12 x 101 patches (max_length 1024, stride 10)
    audio_classes: int = 527


FULL = Widths()
# small: same layouts, widths divisible by SD1.5's 32 norm groups and 8 heads (mapping logic, fast tests, the e2e)
SMALL = Widths(unet=(32, 64, 64, 64), vae=(32, 32, 64, 64), text=64, text_layers=2, text_inner=128, vocab=1024,
               audio=64, audio_layers=2, audio_inner=128)
# tiny: two UNet levels (cross-attention level + plain level, the same block types and names), for the pytest
# end-to-end build: far fewer graph nodes, so an ONNX export takes seconds
TINY = Widths(unet=(32, 64), vae=(32, 32, 32, 64), text=64, text_layers=1, text_inner=128, vocab=1024,
              audio=64, audio_layers=1, audio_inner=128)
WIDTHS = {"full": FULL, "small": SMALL, "tiny": TINY}


def _linear(out: Shapes, prefix: str, cout: int, cin: int, bias: bool = True):
    out[prefix + ".weight"] = (cout, cin)
    if bias:
        out[prefix + ".bias"] = (cout,)


def _conv(out: Shapes, prefix: str, cout: int, cin: int, k: int):
    out[prefix + ".weight"] = (cout, cin, k, k)
    out[prefix + ".bias"] = (cout,)


def _norm(out: Shapes, prefix: str, c: int):
    out[prefix + ".weight"] = (c,)
    out[prefix + ".bias"] = (c,)


def _resnet(out: Shapes, p: str, cin: int, cout: int, temb: int = 0):
    _norm(out, p + ".norm1", cin)
    _conv(out, p + ".conv1", cout, cin, 3)
    if temb:
        _linear(out, p + ".time_emb_proj", cout, temb)
    _norm(out, p + ".norm2", cout)
    _conv(out, p + ".conv2", cout, cout, 3)
    if cin != cout:
        _conv(out, p + ".conv_shortcut", cout, cin, 1)


def _transformer(out: Shapes, p: str, c: int, context: int):
    _norm(out, p + ".norm", c)
    _conv(out, p + ".proj_in", c, c, 1)
    b = p + ".transformer_blocks.0"
    for attn, ctx in (("attn1", c), ("attn2", context)):
        _linear(out, f"{b}.{attn}.to_q", c, c, bias=False)
        _linear(out, f"{b}.{attn}.to_k", c, ctx, bias=False)
        _linear(out, f"{b}.{attn}.to_v", c, ctx, bias=False)
        _linear(out, f"{b}.{attn}.to_out.0", c, c)
    for n in ("norm1", "norm2", "norm3"):
        _norm(out, f"{b}.{n}", c)
    _linear(out, f"{b}.ff.net.0.proj", 8 * c, c)
    _linear(out, f"{b}.ff.net.2", c, 4 * c)
    _conv(out, p + ".proj_out", c, c, 1)


def sd15_unet(w: Widths = FULL) -> Shapes:
    """diffusers UNet2DConditionModel, SD1.5 layout (CrossAttnDownBlock2D x3 + DownBlock2D, mid, UpBlock2D +
    CrossAttnUpBlock2D x3, 2 resnets per down level, 3 per up level)."""
    ch, out = w.unet, {}
    temb = ch[0] * 4
    _conv(out, "conv_in", ch[0], w.latent, 3)
    _linear(out, "time_embedding.linear_1", temb, ch[0])
    _linear(out, "time_embedding.linear_2", temb, temb)
    n = len(ch)
    for i in range(n):
        for j in range(2):
            cin = (ch[i - 1] if i else ch[0]) if j == 0 else ch[i]
            _resnet(out, f"down_blocks.{i}.resnets.{j}", cin, ch[i], temb)
            if i < n - 1:
                _transformer(out, f"down_blocks.{i}.attentions.{j}", ch[i], w.text)
        if i < n - 1:
            _conv(out, f"down_blocks.{i}.downsamplers.0.conv", ch[i], ch[i], 3)
    for j in range(2):
        _resnet(out, f"mid_block.resnets.{j}", ch[-1], ch[-1], temb)
    _transformer(out, "mid_block.attentions.0", ch[-1], w.text)
    rch = list(reversed(ch))
    for i in range(n):
        prev = rch[i - 1] if i else rch[0]
        for j in range(3):
            skip = rch[min(i + 1, n - 1)] if j == 2 else rch[i]
            _resnet(out, f"up_blocks.{i}.resnets.{j}", (prev if j == 0 else rch[i]) + skip, rch[i], temb)
            if i > 0:
                _transformer(out, f"up_blocks.{i}.attentions.{j}", rch[i], w.text)
        if i < n - 1:
            _conv(out, f"up_blocks.{i}.upsamplers.0.conv", rch[i], rch[i], 3)
    _norm(out, "conv_norm_out", ch[0])
    _conv(out, "conv_out", w.latent, ch[0], 3)
    return out


def sd15_vae(w: Widths = FULL, deprecated_attention_names: bool = True) -> Shapes:
    """diffusers AutoencoderKL as in SD1.5's vae file (mid-block attention named query/key/value/proj_attn)."""
    ch, out = w.vae, {}
    names = (("query", "key", "value", "proj_attn") if deprecated_attention_names
             else ("to_q", "to_k", "to_v", "to_out.0"))

    def mid(p, c):
        _resnet(out, p + ".resnets.0", c, c)
        _norm(out, p + ".attentions.0.group_norm", c)
        for name in names:
            _linear(out, f"{p}.attentions.0.{name}", c, c)
        _resnet(out, p + ".resnets.1", c, c)

    _conv(out, "encoder.conv_in", ch[0], 3, 3)
    for i in range(len(ch)):
        for j in range(2):
            _resnet(out, f"encoder.down_blocks.{i}.resnets.{j}", (ch[i - 1] if i else ch[0]) if j == 0 else ch[i], ch[i])
        if i < len(ch) - 1:
            _conv(out, f"encoder.down_blocks.{i}.downsamplers.0.conv", ch[i], ch[i], 3)
    mid("encoder.mid_block", ch[-1])
    _norm(out, "encoder.conv_norm_out", ch[-1])
    _conv(out, "encoder.conv_out", 2 * w.latent, ch[-1], 3)
    _conv(out, "quant_conv", 2 * w.latent, 2 * w.latent, 1)
    _conv(out, "post_quant_conv", w.latent, w.latent, 1)
    _conv(out, "decoder.conv_in", ch[-1], w.latent, 3)
    mid("decoder.mid_block", ch[-1])
    rch = list(reversed(ch))
    for i in range(len(ch)):
        for j in range(3):
            _resnet(out, f"decoder.up_blocks.{i}.resnets.{j}", (rch[i - 1] if i else rch[0]) if j == 0 else rch[i], rch[i])
        if i < len(ch) - 1:
            _conv(out, f"decoder.up_blocks.{i}.upsamplers.0.conv", rch[i], rch[i], 3)
    _norm(out, "decoder.conv_norm_out", ch[0])
    _conv(out, "decoder.conv_out", 3, ch[0], 3)
    return out


def clip_text(w: Widths = FULL, position_ids: bool = True) -> Shapes:
    """transformers CLIPTextModel (text_model.*)."""
    p, d, out = "text_model.", w.text, {}
    out[p + "embeddings.token_embedding.weight"] = (w.vocab, d)
    out[p + "embeddings.position_embedding.weight"] = (77, d)
    if position_ids:
        out[p + "embeddings.position_ids"] = (1, 77)
    for i in range(w.text_layers):
        layer = f"{p}encoder.layers.{i}"
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            _linear(out, f"{layer}.self_attn.{proj}", d, d)
        _norm(out, layer + ".layer_norm1", d)
        _linear(out, layer + ".mlp.fc1", w.text_inner, d)
        _linear(out, layer + ".mlp.fc2", d, w.text_inner)
        _norm(out, layer + ".layer_norm2", d)
    _norm(out, p + "final_layer_norm", d)
    return out


def ast(w: Widths = FULL) -> Shapes:
    """transformers ASTForAudioClassification."""
    p, d, out = "audio_spectrogram_transformer.", w.audio, {}
    out[p + "embeddings.cls_token"] = (1, 1, d)
    out[p + "embeddings.distillation_token"] = (1, 1, d)
    out[p + "embeddings.position_embeddings"] = (1, w.audio_tokens, d)
    _conv(out, p + "embeddings.patch_embeddings.projection", d, 1, 16)
    for i in range(w.audio_layers):
        layer = f"{p}encoder.layer.{i}"
        for proj in ("query", "key", "value"):
            _linear(out, f"{layer}.attention.attention.{proj}", d, d)
        _linear(out, layer + ".attention.output.dense", d, d)
        _linear(out, layer + ".intermediate.dense", w.audio_inner, d)
        _linear(out, layer + ".output.dense", d, w.audio_inner)
        _norm(out, layer + ".layernorm_before", d)
        _norm(out, layer + ".layernorm_after", d)
    _norm(out, p + "layernorm", d)
    _norm(out, "classifier.layernorm", d)
    _linear(out, "classifier.dense", w.audio_classes, d)
    return out


def animatediff_motion(w: Widths = FULL, version: int = 2) -> Shapes:
    """AnimateDiff VanillaTemporalModule at every level (v1: max_len 24, no mid block; v2: 32 + mid block)."""
    max_len, out = (24 if version == 1 else 32), {}
    ch = w.unet
    rch = list(reversed(ch))
    places = [(f"down_blocks.{i}", 2, c) for i, c in enumerate(ch)] + [(f"up_blocks.{i}", 3, c) for i, c in enumerate(rch)]
    if version >= 2:
        places.append(("mid_block", 1, ch[-1]))
    for level, count, c in places:
        for j in range(count):
            p = f"{level}.motion_modules.{j}.temporal_transformer"
            _norm(out, p + ".norm", c)
            _linear(out, p + ".proj_in", c, c)
            b = p + ".transformer_blocks.0"
            for a in range(2):
                for proj in ("to_q", "to_k", "to_v"):
                    _linear(out, f"{b}.attention_blocks.{a}.{proj}", c, c, bias=False)
                _linear(out, f"{b}.attention_blocks.{a}.to_out.0", c, c)
                out[f"{b}.attention_blocks.{a}.pos_encoder.pe"] = (1, max_len, c)
                _norm(out, f"{b}.norms.{a}", c)
            _linear(out, f"{b}.ff.net.0.proj", 8 * c, c)
            _linear(out, f"{b}.ff.net.2", c, 4 * c)
            _norm(out, f"{b}.ff_norm", c)
            _linear(out, p + ".proj_out", c, c)
    return out


def pose_guider(w: Widths = FULL) -> Shapes:
    """Moore-AnimateAnyone PoseGuider(conditioning_embedding_channels=320, block_out_channels=(16, 32, 64, 128))."""
    out, chans = {}, (16, 32, 64, 128)
    _conv(out, "conv_in", chans[0], 3, 3)
    k = 0
    for i in range(len(chans) - 1):
        _conv(out, f"blocks.{k}", chans[i], chans[i], 3)
        _conv(out, f"blocks.{k + 1}", chans[i + 1], chans[i], 3)
        k += 2
    _conv(out, "conv_out", w.unet[0], chans[-1], 3)
    return out


def animate_anyone(w: Widths = FULL) -> Dict[str, Shapes]:
    """The three files Moore-AnimateAnyone's inference loads, plus the pose guider."""
    return {"reference_unet.pth": sd15_unet(w), "denoising_unet.pth": sd15_unet(w),
            "motion_module.pth": animatediff_motion(w, 2), "pose_guider.pth": pose_guider(w)}


# Configs written next to the tensors (the numbers no shape carries)
def diffusers_unet_config(w: Widths) -> dict:
    return {"_class_name": "UNet2DConditionModel", "block_out_channels": list(w.unet), "attention_head_dim": 8,
            "norm_num_groups": 32, "cross_attention_dim": w.text, "in_channels": w.latent, "layers_per_block": 2}


def diffusers_vae_config(w: Widths) -> dict:
    return {"_class_name": "AutoencoderKL", "block_out_channels": list(w.vae), "latent_channels": w.latent,
            "norm_num_groups": 32, "scaling_factor": 0.18215, "layers_per_block": 2}


def clip_text_config(w: Widths) -> dict:
    return {"architectures": ["CLIPTextModel"], "hidden_size": w.text, "num_attention_heads": max(1, w.text // 64),
            "num_hidden_layers": w.text_layers, "intermediate_size": w.text_inner, "hidden_act": "quick_gelu",
            "vocab_size": w.vocab, "max_position_embeddings": 77}


def ast_config(w: Widths) -> dict:
    return {"architectures": ["ASTForAudioClassification"], "hidden_size": w.audio,
            "num_attention_heads": max(1, w.audio // 64), "num_hidden_layers": w.audio_layers,
            "intermediate_size": w.audio_inner, "max_length": 1024, "num_mel_bins": 128, "patch_size": 16,
            "frequency_stride": 10, "time_stride": 10}
