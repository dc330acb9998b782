"""Gradient checkpointing gives the same gradients with fewer saved activations; bf16 autocast trains on CPU."""
import pytest
import torch

from musedance_models.config import tiny
from musedance_models.models.reference_net import ReferenceNet
from musedance_models.models.unet import UNet
from musedance_models.scale.amp import MixedPrecision, MixedPrecisionError
from musedance_models.scale.checkpointing import disable_gradient_checkpointing, enable_gradient_checkpointing


def _batch(cfg, seed=0, frames=2, hw=8):
    g = torch.Generator().manual_seed(seed)
    c = cfg.vae.latent_channels
    return dict(latents=torch.randn(2, frames, c, hw, hw, generator=g), timestep=torch.tensor([10.0, 900.0]),
                text=torch.randn(2, 77, cfg.text.hidden_size, generator=g),
                music=torch.randn(2, cfg.audio.num_tokens, cfg.audio.hidden_size, generator=g),
                beats=torch.tensor([[1.0, 0.0], [0.0, 1.0]]), motion=torch.randn(2, 1, c, hw, hw, generator=g),
                ref=torch.randn(2, c, hw, hw, generator=g), target=torch.randn(2, frames, c, hw, hw, generator=g))


def _loss(unet, refnet, b):
    feats = refnet(b["ref"], b["text"])
    pred = unet(b["latents"], b["timestep"], b["text"], feats, music_tokens=b["music"], beat_onehot=b["beats"],
                motion_latents=b["motion"])
    return (pred - b["target"]).pow(2).mean()


def _saved_bytes(fn):
    total = [0]

    def pack(t):
        total[0] += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn()
    return out, total[0]


def _nonzero_stage2(unet):
    with torch.no_grad():  # stage-2 output projections start at zero: give them weight so gradients flow everywhere
        for name, p in unet.named_parameters():
            if ".stage2." in name and "to_out" in name:
                p.normal_(0, 0.02)


def test_gradient_checkpointing_matches_plain_gradients_and_saves_less():
    torch.manual_seed(0)
    cfg = tiny()
    unet, refnet = UNet(cfg), ReferenceNet(cfg)
    _nonzero_stage2(unet)
    b = _batch(cfg)
    torch.manual_seed(123)
    plain_loss, plain_saved = _saved_bytes(lambda: _loss(unet, refnet, b))
    plain_loss.backward()
    plain_grads = {n: None if p.grad is None else p.grad.clone() for m in (unet, refnet) for n, p in m.named_parameters()}
    for m in (unet, refnet):
        m.zero_grad(set_to_none=True)
    assert enable_gradient_checkpointing(unet) > 0 and enable_gradient_checkpointing(refnet) > 0
    torch.manual_seed(123)  # same dropout masks (checkpoint replays the RNG state in recomputation)
    ckpt_loss, ckpt_saved = _saved_bytes(lambda: _loss(unet, refnet, b))
    ckpt_loss.backward()
    assert torch.allclose(ckpt_loss, plain_loss, atol=1e-6)
    assert ckpt_saved < 0.5 * plain_saved
    for m in (unet, refnet):
        for n, p in m.named_parameters():
            if plain_grads[n] is None:  # e.g. ReferenceNet layers after its last attention
                assert p.grad is None, n
                continue
            assert torch.allclose(p.grad, plain_grads[n], atol=1e-5, rtol=1e-4), n
    refnet_grad = sum(p.grad.abs().sum() for p in refnet.parameters() if p.grad is not None)
    assert refnet_grad > 0  # gradients reached the ReferenceNet through its side-channel features
    disable_gradient_checkpointing(unet)
    assert not any(hasattr(m, "_musedance_forward_without_checkpointing") for m in unet.modules())


def test_bf16_autocast_with_checkpointing_trains_on_cpu():
    torch.manual_seed(0)
    cfg = tiny()
    unet, refnet = UNet(cfg), ReferenceNet(cfg)
    enable_gradient_checkpointing(unet)
    enable_gradient_checkpointing(refnet)
    mp = MixedPrecision("bf16", "cpu")
    mp.prepare(unet, refnet)
    params = list(unet.parameters()) + list(refnet.parameters())
    optimizer = torch.optim.Adam(params, lr=1e-3)
    b = _batch(cfg)
    before = unet.conv_in.weight.detach().clone()
    with mp.autocast():
        feats = refnet(b["ref"], b["text"])
        pred = unet(b["latents"], b["timestep"], b["text"], feats, music_tokens=b["music"], beat_onehot=b["beats"],
                    motion_latents=b["motion"])
        assert pred.dtype == torch.bfloat16  # the convolutions really ran in bf16
        loss = (pred.float() - b["target"]).pow(2).mean()
    mp.backward(loss)
    mp.step(optimizer)
    assert torch.isfinite(loss) and unet.conv_in.weight.dtype == torch.float32
    assert not torch.equal(unet.conv_in.weight, before)
    assert mp.state_dict()["mode"] == "bf16"
    with pytest.raises(MixedPrecisionError, match="CUDA"):
        MixedPrecision("fp16", "cpu")
