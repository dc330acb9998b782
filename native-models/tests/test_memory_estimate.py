"""Training memory estimate: sd15 at 640x640, K=48 against a hand calculation; the meta-device trace against
a real CPU measurement on the tiny config."""
import pytest
import torch

from musedance_models.config import sd15, tiny
from musedance_models.models.reference_net import ReferenceNet
from musedance_models.models.unet import UNet
from musedance_models.scale.memory_estimate import GIB, estimate_training_memory, out_of_memory_advice


def _hand_calculation_sd15_stage2_bytes():
    """Stage 2 of the paper at 640x640, K=48, M=2, batch 1, float32, memory-efficient attention, no checkpointing.

    Parameters (published SD1.5/AST counts): UNet 859.52 M, ReferenceNet = a second SD1.5 UNet 859.52 M,
    VAE 83.65 M, CLIP text 123.06 M, AST 86.19 M, plus the stage-2 modules. A stage-2 module at width C has
    music (cross-attn to 768-d AST tokens + temporal attn) 6C^2 + 1542C, beat (2-row embedding + cross-attn +
    temporal attn) 8C^2 + 8C, motion (temporal attn) 4C^2 + 3C = 18C^2 + 1553C; one follows every spatial
    transformer: 5 at C=320, 5 at 640, 5 at 1280 and 1 in the mid block.
    Trainable in stage 2: the stage-2 modules only (spatial layers frozen, paper 3.3).
    """
    stage2 = sum(n * (18 * c * c + 1553 * c) for n, c in ((5, 320), (5, 640), (5, 1280), (1, 1280)))
    params = 859_520_964 * 2 + 83_653_863 + 123_060_480 + 86_187_264 + stage2
    weights, grads, adam = params * 4, stage2 * 4, stage2 * 8

    # Activations kept for backward, in "maps": one C x h x w feature map per frame, 4 bytes per element.
    # Latent 80x80; levels: 320@80x80, 640@40x40, 1280@20x20, 1280@10x10 (elements per frame per map):
    m = {0: 320 * 6400, 1: 640 * 1600, 2: 1280 * 400, 3: 1280 * 100}
    frames = 50  # M + K frames run through the spatial layers
    # Frozen ResnetBlock2D: GroupNorm, SiLU and conv inputs x2 -> 3 maps at the input width + 3 at the output
    # width (convolutions keep their input even when frozen). Blocks before the first stage-2 module (the first
    # resnet and transformer of level 0) keep nothing: no gradient has to flow through them.
    resnet = lambda level, cin_ratio: 3 * cin_ratio * m[level] + 3 * m[level]
    resnets = (resnet(0, 1)                                   # down 0 (second resnet)
               + resnet(1, 0.5) + resnet(1, 1) + resnet(2, 0.5) + resnet(2, 1) + 2 * resnet(3, 1)
               + 2 * resnet(3, 1)                              # mid
               + 3 * resnet(3, 2)                              # up 0: concatenated skip (2560 in)
               + resnet(2, 2) + resnet(2, 2) + resnet(2, 1.5)  # up 1: 2560, 2560, 1920 in
               + resnet(1, 3) + resnet(1, 2) + resnet(1, 1.5)  # up 2: 1920, 1280, 960 in
               + resnet(0, 3) + resnet(0, 2) + resnet(0, 2))   # up 3: 960, 640, 640 in
    # Frozen spatial transformer: GroupNorm in, proj_in in, LayerNorm1 in, self-attn q + k,v over the W-concat
    # of denoiser and ReferenceNet tokens (1 + 2 + 2) + output, LayerNorm2 in, cross-attn q + output,
    # LayerNorm3 in, GEGLU projection output (8) + GELU output (4), proj_out in = 26 maps.
    transformers = 26 * (1 * m[0] + 2 * m[1] + 2 * m[2] + 1 * m[3] + 3 * m[2] + 3 * m[1] + 3 * m[0])
    # Samplers keep their conv input; conv_norm_out / SiLU / conv_out keep 3 level-0 maps.
    outside = m[0] + m[1] + m[2] + (m[2] + 2 * m[1] + 2 * m[0]) + 3 * m[0]
    spatial_bytes = (resnets + transformers + outside) * frames * 4
    # Trainable stage-2 module: per attention layer LayerNorm in, projection in, q, k, v, output, output-proj in,
    # dropout output (about 9 maps for temporal self-attention; about 6 for cross-attention whose k, v cover
    # only the short context): music + beat = 2 cross + 2 temporal on K=48 frames, motion = 1 temporal on 50.
    per_module_map_frames = 2 * 6 * 48 + 2 * 9 * 48 + 9 * 50
    stage2_bytes = per_module_map_frames * (5 * (m[0] + m[1] + m[2]) + m[3]) * 4
    activations = spatial_bytes + stage2_bytes
    return weights + grads + adam + activations, activations


def test_sd15_640_k48_estimate_matches_the_hand_calculation_within_20_percent():
    estimate = estimate_training_memory(sd15(), stage=2, batch_size=1, mixed_precision="no",
                                        gradient_checkpointing=False, attention="memory_efficient")
    hand_total, hand_activations = _hand_calculation_sd15_stage2_bytes()
    assert estimate.settings["frames"] == 48 and estimate.settings["height"] == 640
    assert abs(estimate.total_bytes - hand_total) / hand_total < 0.20
    assert abs(estimate.activations_bytes - hand_activations) / hand_activations < 0.20
    assert estimate.trainable_parameters == 242_408_640
    assert "640x640, K=48" in estimate.summary()


def test_checkpointing_mixed_precision_and_lora_lower_the_estimate():
    base = estimate_training_memory(sd15(), attention="memory_efficient")
    ckpt = estimate_training_memory(sd15(), attention="memory_efficient", gradient_checkpointing=True)
    both = estimate_training_memory(sd15(), attention="memory_efficient", gradient_checkpointing=True,
                                    mixed_precision="bf16")
    naive = estimate_training_memory(sd15(), attention="naive")
    stage1 = estimate_training_memory(sd15(), stage=1, attention="memory_efficient")
    lora = estimate_training_memory(sd15(), stage=1, attention="memory_efficient", lora_rank=8)
    assert both.activations_bytes < ckpt.activations_bytes < 0.25 * base.activations_bytes
    assert naive.activations_bytes > 2 * base.activations_bytes  # N x N attention probabilities
    assert lora.trainable_parameters < 0.02 * stage1.trainable_parameters
    assert lora.optimizer_bytes < 0.02 * stage1.optimizer_bytes
    advice = out_of_memory_advice(base, 24 * GIB)
    assert "gradientCheckpointing" in advice and "bf16" in advice and "24.0 GiB available" in advice


def test_meta_trace_matches_a_real_cpu_measurement_on_the_tiny_config():
    """Real forward on CPU (torch's own attention path) with saved-tensor hooks, storage-deduplicated."""
    cfg = tiny()
    cfg.frames_per_segment = 4
    torch.manual_seed(0)
    unet, refnet = UNet(cfg), ReferenceNet(cfg)
    for name, p in unet.named_parameters():
        p.requires_grad_(".stage2." in name)
    refnet.requires_grad_(False)
    param_ptrs = {p.data_ptr() for p in list(unet.parameters()) + list(refnet.parameters())}
    seen, total = set(), [0]

    def pack(t):
        ptr = t.untyped_storage().data_ptr() if hasattr(t, "untyped_storage") else t.storage().data_ptr()
        if ptr not in param_ptrs and ptr not in seen:
            seen.add(ptr)
            total[0] += t.untyped_storage().nbytes() if hasattr(t, "untyped_storage") else t.storage().nbytes()
        return t

    h, w = cfg.latent_hw
    c, k = cfg.vae.latent_channels, cfg.frames_per_segment
    text = torch.randn(1, 77, cfg.text.hidden_size)
    with torch.no_grad():
        feats = refnet(torch.randn(1, c, h, w), text)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = unet(torch.randn(1, k, c, h, w), torch.tensor([10.0]), text, feats,
                   music_tokens=torch.randn(1, cfg.audio.num_tokens, cfg.audio.hidden_size),
                   beat_onehot=torch.zeros(1, k), motion_latents=torch.randn(1, cfg.motion_frames, c, h, w))
    assert out.requires_grad
    measured = total[0]
    estimate = estimate_training_memory(cfg, stage=2, attention="naive")  # torch 1.13's path; also fine on 2.x
    if hasattr(torch.nn.functional, "scaled_dot_product_attention"):
        pytest.skip("this torch uses fused attention: the real run does not keep N x N probabilities")
    assert abs(estimate.activations_bytes - measured) / measured < 0.10, (estimate.activations_bytes, measured)


def test_a_real_allocation_failure_becomes_out_of_memory_with_advice():
    from musedance_models.worker.errors import classify

    try:
        torch.empty(10 ** 14, dtype=torch.uint8)  # 100 TB: the CPU allocator refuses
    except RuntimeError as err:
        code, _ = classify(err)
    else:
        pytest.skip("this machine allocated 100 TB lazily")
    assert code == "OUT_OF_MEMORY"
    assert classify(RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB"))[0] == "OUT_OF_MEMORY"
    advice = out_of_memory_advice(estimate_training_memory(sd15(), stage=2, attention="memory_efficient",
                                                           gradient_checkpointing=True, mixed_precision="bf16"),
                                  8 * GIB)
    assert "8.0 GiB available" in advice and "lower the resolution or K" in advice
