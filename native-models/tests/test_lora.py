"""LoRA on attention projections: only adapters train; merged export == adapters applied at run time."""
import torch

from musedance_models.checkpoint_io import load_own
from musedance_models.config import tiny
from musedance_models.models.reference_net import ReferenceNet
from musedance_models.models.unet import UNet
from musedance_models.scale.lora import (LoRALinear, adapter_state_dict, apply_lora, load_adapters,
                                         mark_only_lora_trainable, merge_lora, save_adapters)


def _inputs(cfg, frames=2, motion=1, hw=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    c = cfg.vae.latent_channels
    return dict(latents=torch.randn(1, frames, c, hw, hw, generator=g), timestep=torch.tensor([500.0]),
                text_embeds=torch.randn(1, 77, cfg.text.hidden_size, generator=g),
                music_tokens=torch.randn(1, cfg.audio.num_tokens, cfg.audio.hidden_size, generator=g),
                beat_onehot=torch.tensor([[1.0, 0.0]]), motion_latents=torch.randn(1, motion, c, hw, hw, generator=g))


def _run(unet, refnet, x):
    feats = refnet(x["latents"][:, 0], x["text_embeds"])
    return unet(x["latents"], x["timestep"], x["text_embeds"], feats, music_tokens=x["music_tokens"],
                beat_onehot=x["beat_onehot"], motion_latents=x["motion_latents"])


def _models(seed=0):
    torch.manual_seed(seed)
    cfg = tiny()
    unet, refnet = UNet(cfg), ReferenceNet(cfg)
    unet.eval(), refnet.eval()  # no dropout: outputs comparable run to run
    return cfg, unet, refnet


def test_lora_wraps_attention_projections_and_starts_equal_to_the_base():
    cfg, unet, refnet = _models()
    x = _inputs(cfg)
    with torch.no_grad():
        before = _run(unet, refnet, x)
    base_keys = set(unet.state_dict())
    wrapped = apply_lora(unet, rank=2, alpha=4.0) + apply_lora(refnet, rank=2, alpha=4.0)
    assert wrapped and all(n.rsplit(".", 1)[-1] in ("to_q", "to_k", "to_v") or n.endswith("to_out.0") for n in wrapped)
    assert any(".stage2." in n for n in wrapped) and any(".attn1." in n for n in wrapped)
    assert base_keys <= set(unet.state_dict())  # base names unchanged: packs and checkpoints still load
    with torch.no_grad():
        assert torch.equal(_run(unet, refnet, x), before)  # lora_up starts at zero


def test_only_adapters_train_and_merged_export_equals_runtime_adapters(tmp_path):
    cfg, unet, refnet = _models()
    apply_lora(unet, rank=2, alpha=4.0)
    apply_lora(refnet, rank=2, alpha=4.0)
    trainable = mark_only_lora_trainable(unet) + mark_only_lora_trainable(refnet)
    total = sum(p.numel() for p in unet.parameters()) + sum(p.numel() for p in refnet.parameters())
    assert 0 < trainable < total * 0.2
    frozen_before = {k: v.clone() for k, v in unet.state_dict().items() if "lora_" not in k}
    params = [p for m in (unet, refnet) for p in m.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=1e-2)
    x = _inputs(cfg)
    for _ in range(2):
        optimizer.zero_grad()
        _run(unet, refnet, x).pow(2).mean().backward()
        optimizer.step()
    for key, value in unet.state_dict().items():
        if "lora_" not in key:
            assert torch.equal(value, frozen_before[key]), key
    assert any(v.abs().sum() > 0 for k, v in adapter_state_dict(unet).items() if "lora_up" in k)

    with torch.no_grad():
        runtime = _run(unet, refnet, x)
    adapter_file = str(tmp_path / "lora_adapters.safetensors")
    assert save_adapters({"unet": unet, "reference_net": refnet}, adapter_file) > 0

    # a fresh base model + the adapter file == the trained runtime adapters
    _, unet2, refnet2 = _models()
    load_adapters({"unet": unet2, "reference_net": refnet2}, adapter_file)
    with torch.no_grad():
        assert torch.allclose(_run(unet2, refnet2, x), runtime, atol=1e-6)

    # merged export: plain Linears with the base names, same outputs
    assert merge_lora(unet) > 0 and merge_lora(refnet) > 0
    assert not any(isinstance(m, LoRALinear) for m in list(unet.modules()) + list(refnet.modules()))
    assert set(unet.state_dict()) == set(frozen_before)
    with torch.no_grad():
        assert torch.allclose(_run(unet, refnet, x), runtime, atol=1e-5)


def test_lora_checkpoint_exports_merged_or_as_separate_adapters(tmp_path):
    """What the pack exporter reads from a LoRA run's checkpoint reproduces the adapted model."""
    from musedance_models.models.musedance import MuseDance
    from musedance_models.scale.lora_export import checkpoint_for_pack

    torch.manual_seed(0)
    cfg = tiny()
    model = MuseDance(cfg)
    for part in (model.unet, model.reference_net):
        apply_lora(part, 2, 3.0)
        with torch.no_grad():
            for name, p in part.named_parameters():
                if "lora_up" in name:
                    p.normal_(0, 0.05)
    model.eval()
    x = _inputs(cfg)
    with torch.no_grad():
        runtime = _run(model.unet, model.reference_net, x)
    ckpt = str(tmp_path / "checkpoint.pt")
    torch.save({"format": "musedance-checkpoint", "config": cfg.to_dict(), "models": model.state_dicts(),
                "spec": {"lora_rank": 2, "lora_alpha": 3.0}, "tokenizer_dir": None, "optimizer": {}}, ckpt)

    merged_path, adapter = checkpoint_for_pack(ckpt, "merge", str(tmp_path))
    assert adapter is None and "optimizer" not in load_own(merged_path)
    plain = MuseDance(cfg)
    plain.load_state_dicts(load_own(merged_path)["models"])  # strict: a plain model, no adapter keys left
    plain.eval()
    with torch.no_grad():
        assert torch.allclose(_run(plain.unet, plain.reference_net, x), runtime, atol=1e-5)

    (tmp_path / "sep").mkdir()
    base_path, adapter = checkpoint_for_pack(ckpt, "separate", str(tmp_path / "sep"))
    base = MuseDance(cfg)
    base.load_state_dicts(load_own(base_path)["models"])
    base.eval()
    with torch.no_grad():
        assert not torch.allclose(_run(base.unet, base.reference_net, x), runtime, atol=1e-5)
    load_adapters({"unet": base.unet, "reference_net": base.reference_net}, adapter)
    with torch.no_grad():
        assert torch.allclose(_run(base.unet, base.reference_net, x), runtime, atol=1e-6)
