"""Weight import from diffusers SD1.5 / transformers AST folders, and our safetensors reader/writer."""
import json
import os
import struct

import pytest
import torch

from musedance_models.config import MuseDanceConfig, sd15, tiny
from musedance_models.models.audio_encoder import AstAudioEncoder
from musedance_models.models.text_encoder import ClipTextEncoder
from musedance_models.models.unet import UNet
from musedance_models.models.vae import AutoencoderKL
from musedance_models.models.reference_net import ReferenceNet
from musedance_models.tokenizer import train_bpe
from musedance_models.weights_import import (SafetensorsError, SafetensorsFile, WeightsImportError, import_sd15,
                                             load_file, load_imported, save_file)
from musedance_models.weights_import.importer import target_shapes
from musedance_models.weights_import.key_mapping import KEY_FUNCTIONS
from musedance_models.weights_import.meta_init import build_on_meta, count_parameters

# ---- safetensors ----------------------------------------------------------------------------------------


def test_safetensors_round_trip_of_a_file_we_write(tmp_path):
    torch.manual_seed(0)
    tensors = {
        "f32": torch.randn(3, 5), "f16": torch.randn(2, 2, 3).half(), "bf16": torch.randn(7).bfloat16(),
        "i64": torch.arange(6, dtype=torch.int64).reshape(2, 3), "u8": torch.arange(4, dtype=torch.uint8),
        "scalar": torch.tensor(2.5), "empty": torch.zeros(0, 4), "strided": torch.randn(4, 6).t(),
    }
    path = str(tmp_path / "t.safetensors")
    save_file(tensors, path, metadata={"format": "pt"})
    raw = open(path, "rb").read()
    (header_len,) = struct.unpack("<Q", raw[:8])
    assert header_len % 8 == 0
    header = json.loads(raw[8:8 + header_len])
    assert header["__metadata__"] == {"format": "pt"} and header["bf16"]["dtype"] == "BF16"
    assert header["f32"]["data_offsets"] == [0, 60]
    back = load_file(path)
    assert set(back) == set(tensors)
    for name, tensor in tensors.items():
        assert back[name].dtype == tensor.dtype and torch.equal(back[name], tensor), name
    with SafetensorsFile(path) as handle:
        assert handle.shape("f16") == (2, 2, 3) and handle.metadata == {"format": "pt"}


def test_safetensors_reader_rejects_damaged_files(tmp_path):
    path = str(tmp_path / "ok.safetensors")
    save_file({"w": torch.ones(4)}, path)
    good = open(path, "rb").read()
    cases = {
        "short": good[:5],
        "huge_header": struct.pack("<Q", 10 ** 12) + good[8:],
        "bad_json": good[:8] + b"x" + good[9:],
        "truncated_data": good[:-4],
    }
    for name, blob in cases.items():
        broken = tmp_path / f"{name}.safetensors"
        broken.write_bytes(blob)
        with pytest.raises(SafetensorsError):
            load_file(str(broken))
    header = json.dumps({"w": {"dtype": "F32", "shape": [5], "data_offsets": [0, 16]}}).encode()
    (tmp_path / "shape.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 16)
    with pytest.raises(SafetensorsError, match="shape needs 20"):
        load_file(str(tmp_path / "shape.safetensors"))


# ---- SD1.5 sizes and diffusers naming (meta device: nothing full-size is allocated) ------------------------

def test_sd15_modules_have_the_published_parameter_counts():
    cfg = sd15()
    assert count_parameters(build_on_meta(lambda: UNet(cfg, with_stage2=False))) == 859_520_964  # 859.5 M
    assert count_parameters(build_on_meta(lambda: AutoencoderKL(cfg.vae))) == 83_653_863            # 83.7 M
    assert count_parameters(build_on_meta(lambda: ClipTextEncoder(cfg.text))) == 123_060_480        # 123.1 M


def _diffusers_sd15_unet_keys():
    """diffusers UNet2DConditionModel state-dict names for SD1.5, enumerated from its published layout."""
    keys = set()

    def add(prefix, *leaves):
        keys.update(f"{prefix}.{leaf}" for leaf in leaves)

    def resnet(prefix, shortcut):
        for part in ("norm1", "conv1", "time_emb_proj", "norm2", "conv2") + (("conv_shortcut",) if shortcut else ()):
            add(f"{prefix}.{part}", "weight", "bias")

    def transformer(prefix):
        add(f"{prefix}.norm", "weight", "bias")
        add(f"{prefix}.proj_in", "weight", "bias")
        add(f"{prefix}.proj_out", "weight", "bias")
        block = f"{prefix}.transformer_blocks.0"
        for attn in ("attn1", "attn2"):
            add(f"{block}.{attn}", "to_q.weight", "to_k.weight", "to_v.weight", "to_out.0.weight", "to_out.0.bias")
        for norm in ("norm1", "norm2", "norm3"):
            add(f"{block}.{norm}", "weight", "bias")
        add(f"{block}.ff", "net.0.proj.weight", "net.0.proj.bias", "net.2.weight", "net.2.bias")

    add("conv_in", "weight", "bias")
    add("time_embedding", "linear_1.weight", "linear_1.bias", "linear_2.weight", "linear_2.bias")
    for i in range(4):
        for j in range(2):
            resnet(f"down_blocks.{i}.resnets.{j}", shortcut=(j == 0 and i in (1, 2)))
            if i < 3:
                transformer(f"down_blocks.{i}.attentions.{j}")
        if i < 3:
            add(f"down_blocks.{i}.downsamplers.0.conv", "weight", "bias")
    resnet("mid_block.resnets.0", False)
    resnet("mid_block.resnets.1", False)
    transformer("mid_block.attentions.0")
    for i in range(4):
        for j in range(3):
            resnet(f"up_blocks.{i}.resnets.{j}", shortcut=True)
            if i > 0:
                transformer(f"up_blocks.{i}.attentions.{j}")
        if i < 3:
            add(f"up_blocks.{i}.upsamplers.0.conv", "weight", "bias")
    add("conv_norm_out", "weight", "bias")
    add("conv_out", "weight", "bias")
    return keys


def test_unet_and_reference_net_map_onto_diffusers_sd15_names():
    shapes = target_shapes(sd15())
    expected = _diffusers_sd15_unet_keys()
    assert len(expected) == 686  # tensors in SD1.5's unet/diffusion_pytorch_model.safetensors
    for component in ("unet", "reference_net"):
        mapped = {KEY_FUNCTIONS[component](k): s for k, s in shapes[component].items()}
        mapped.pop(None, None)  # MuseDance's own stage-2 layers
        assert set(mapped) == expected, component
    unet = {KEY_FUNCTIONS["unet"](k): s for k, s in shapes["unet"].items()}
    assert unet["conv_in.weight"] == (320, 4, 3, 3)
    assert unet["time_embedding.linear_1.weight"] == (1280, 320)
    assert unet["down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight"] == (320, 768)
    assert unet["mid_block.attentions.0.proj_in.weight"] == (1280, 1280, 1, 1)
    assert unet["up_blocks.3.resnets.2.conv_shortcut.weight"] == (320, 640, 1, 1)
    assert unet["up_blocks.1.attentions.2.transformer_blocks.0.ff.net.0.proj.weight"] == (10240, 1280)
    assert unet["down_blocks.2.downsamplers.0.conv.weight"] == (1280, 1280, 3, 3)


def test_vae_text_and_audio_names_follow_diffusers_and_transformers():
    shapes = target_shapes(sd15())
    vae = {KEY_FUNCTIONS["vae"](k): s for k, s in shapes["vae"].items()}
    assert len(vae) == 248
    assert vae["encoder.down_blocks.1.resnets.0.conv_shortcut.weight"] == (256, 128, 1, 1)
    assert vae["decoder.up_blocks.3.resnets.0.conv_shortcut.weight"] == (128, 256, 1, 1)
    assert vae["encoder.mid_block.attentions.0.to_q.weight"] == (512, 512)
    assert vae["quant_conv.weight"] == (8, 8, 1, 1) and vae["post_quant_conv.weight"] == (4, 4, 1, 1)
    text = {KEY_FUNCTIONS["text_encoder"](k): s for k, s in shapes["text_encoder"].items()}
    assert len(text) == 196
    assert text["text_model.embeddings.token_embedding.weight"] == (49408, 768)
    assert text["text_model.embeddings.position_embedding.weight"] == (77, 768)
    assert text["text_model.encoder.layers.11.mlp.fc1.weight"] == (3072, 768)
    assert text["text_model.final_layer_norm.weight"] == (768,)
    audio = {KEY_FUNCTIONS["audio_encoder"](k): s for k, s in shapes["audio_encoder"].items()}
    prefix = "audio_spectrogram_transformer."
    assert audio[prefix + "embeddings.position_embeddings"] == (1, 1214, 768)  # AST: 2 + 12 x 101 patches
    assert audio[prefix + "embeddings.patch_embeddings.projection.weight"] == (768, 1, 16, 16)
    assert audio[prefix + "encoder.layer.11.attention.attention.query.weight"] == (768, 768)
    assert audio[prefix + "layernorm.weight"] == (768,)


# ---- import round trip on a tiny config, with files written the way diffusers/transformers write them --------

def _tiny_cfg_with_vocab(tmp_path):
    captions = ["a figure bounces on every beat", "a robot sways side to side", "a cat spins on the downbeat"]
    tok_dir = tmp_path / "sd" / "tokenizer"
    train_bpe(captions, 600, str(tok_dir))
    vocab_size = max(json.load(open(tok_dir / "vocab.json")).values()) + 1
    cfg = tiny()
    cfg.text.vocab_size = vocab_size
    return cfg


def _write_fake_pretrained_folders(tmp_path, cfg: MuseDanceConfig):
    torch.manual_seed(1)
    originals = {"unet": UNet(cfg).state_dict(), "vae": AutoencoderKL(cfg.vae).state_dict(),
                 "text_encoder": ClipTextEncoder(cfg.text).state_dict(),
                 "audio_encoder": AstAudioEncoder(cfg.audio).state_dict()}
    sd = tmp_path / "sd"
    for sub in ("unet", "vae", "text_encoder"):
        (sd / sub).mkdir(parents=True, exist_ok=True)
    unet = {KEY_FUNCTIONS["unet"](k): v for k, v in originals["unet"].items() if KEY_FUNCTIONS["unet"](k)}
    save_file(unet, str(sd / "unet" / "diffusion_pytorch_model.safetensors"))
    vae = {}
    for key, value in originals["vae"].items():  # SD1.5's own vae file uses the deprecated attention names
        key = key.replace("attentions.0.to_q", "attentions.0.query").replace("attentions.0.to_k", "attentions.0.key")
        key = key.replace("attentions.0.to_v", "attentions.0.value").replace("attentions.0.to_out.0", "attentions.0.proj_attn")
        vae[key] = value.half()
    save_file(vae, str(sd / "vae" / "diffusion_pytorch_model.fp16.safetensors"))
    text = {"text_model." + k: v for k, v in originals["text_encoder"].items()}
    text["text_model.embeddings.position_ids"] = torch.arange(77)[None]
    torch.save(text, str(sd / "text_encoder" / "pytorch_model.bin"))
    ast_dir = tmp_path / "ast"
    ast_dir.mkdir()
    ast = {"audio_spectrogram_transformer." + k: v for k, v in originals["audio_encoder"].items()}
    ast["classifier.dense.weight"] = torch.zeros(527, cfg.audio.hidden_size)
    save_file(ast, str(ast_dir / "model.safetensors"))
    return originals, str(sd), str(ast_dir)


def test_import_round_trip_reproduces_the_written_weights(tmp_path):
    cfg = _tiny_cfg_with_vocab(tmp_path)
    originals, sd_dir, ast_dir = _write_fake_pretrained_folders(tmp_path, cfg)
    result = import_sd15(sd_dir, ast_dir, cfg=cfg, dtype=torch.float32)
    assert result.tokenizer_dir == os.path.join(sd_dir, "tokenizer")
    unet_state = result.state_dicts["unet"]
    for key, value in originals["unet"].items():
        if ".stage2." in key:
            assert key in result.reports["unet"].fresh and key not in unet_state
        else:
            assert torch.equal(unet_state[key], value), key
    for key, value in originals["unet"].items():  # ReferenceNet starts from the same UNet weights
        if ".stage2." not in key:
            assert torch.equal(result.state_dicts["reference_net"]["unet." + key], value)
    for key, value in originals["vae"].items():
        assert torch.equal(result.state_dicts["vae"][key], value.half().float()), key
    for name in ("text_encoder", "audio_encoder"):
        for key, value in originals[name].items():
            assert torch.equal(result.state_dicts[name][key], value), key
    assert result.reports["audio_encoder"].unexpected == [] and result.reports["text_encoder"].unexpected == []
    assert result.reports["vae"].fresh == [] and result.reports["text_encoder"].fresh == []
    fresh_unet = UNet(cfg)
    left = load_imported(fresh_unet, unet_state)
    assert left and all(".stage2." in k for k in left)
    assert torch.equal(fresh_unet.conv_in.weight, originals["unet"]["conv_in.weight"])
    refnet = ReferenceNet(cfg)
    assert load_imported(refnet, result.state_dicts["reference_net"]) == []


def test_import_explains_missing_files_and_wrong_architectures(tmp_path):
    cfg = _tiny_cfg_with_vocab(tmp_path)
    _, sd_dir, _ = _write_fake_pretrained_folders(tmp_path, cfg)
    with pytest.raises(WeightsImportError, match="not found"):
        import_sd15(str(tmp_path / "nope"), cfg=cfg)
    unet_file = os.path.join(sd_dir, "unet", "diffusion_pytorch_model.safetensors")
    unet = load_file(unet_file)
    unet["conv_in.weight"] = torch.zeros(64, 9, 3, 3)  # an inpainting UNet takes 9 input channels
    save_file(unet, unet_file)
    with pytest.raises(WeightsImportError, match=r"conv_in.weight has shape \(64, 9, 3, 3\)"):
        import_sd15(sd_dir, cfg=cfg)
    del unet["conv_in.weight"]
    save_file(unet, unet_file)
    with pytest.raises(WeightsImportError, match="missing tensor conv_in.weight"):
        import_sd15(sd_dir, cfg=cfg)
    os.remove(unet_file)
    with pytest.raises(WeightsImportError, match="no UNet weights"):
        import_sd15(sd_dir, cfg=cfg)
