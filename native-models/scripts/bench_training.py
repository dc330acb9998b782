"""Training-at-scale bench: one training step (ReferenceNet + denoising UNet forward/backward + Adam) of the
`tiny` config (or `--config sd15 --latent 16` on a GPU), float32 as the reference, then bf16/fp16 autocast,
gradient checkpointing and LoRA, each measured in the same run. Prints `BENCH <name> <value> <unit>` lines.
On a CUDA machine it also runs there and reports peak GPU memory. Run: /usr/bin/python3 scripts/bench_training.py
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402

from musedance_models.config import CONFIGS  # noqa: E402
from musedance_models.models.reference_net import ReferenceNet  # noqa: E402
from musedance_models.models.unet import UNet  # noqa: E402
from musedance_models.scale.amp import MixedPrecision  # noqa: E402
from musedance_models.scale.checkpointing import enable_gradient_checkpointing  # noqa: E402
from musedance_models.scale.lora import apply_lora, mark_only_lora_trainable  # noqa: E402


def bench(name, value, unit):
    shown = str(value) if isinstance(value, int) else f"{value:.4g}"
    print(f"BENCH {name} {shown} {unit}", flush=True)


def make_step(cfg, device, frames, latent, precision, checkpointing, lora_rank):
    torch.manual_seed(0)
    unet, refnet = UNet(cfg).to(device), ReferenceNet(cfg).to(device)
    if lora_rank:
        for m in (unet, refnet):
            apply_lora(m, lora_rank, float(lora_rank))
            mark_only_lora_trainable(m)
    if checkpointing:
        enable_gradient_checkpointing(unet)
        enable_gradient_checkpointing(refnet)
    mp = MixedPrecision(precision, device.type)
    mp.prepare(unet, refnet)
    params = [p for m in (unet, refnet) for p in m.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=1e-5)
    c = cfg.vae.latent_channels
    g = torch.Generator().manual_seed(0)
    rand = lambda *s: torch.randn(*s, generator=g).to(device)  # noqa: E731
    batch = dict(lat=rand(1, frames, c, latent, latent), ref=rand(1, c, latent, latent),
                 text=rand(1, 77, cfg.text.hidden_size), music=rand(1, cfg.audio.num_tokens, cfg.audio.hidden_size),
                 motion=rand(1, cfg.motion_frames, c, latent, latent), noise=rand(1, frames, c, latent, latent))
    beats = torch.zeros(1, frames, device=device)
    t = torch.tensor([500.0], device=device)

    def step():
        with mp.autocast():
            feats = refnet(batch["ref"], batch["text"])
            pred = unet(batch["lat"], t, batch["text"], feats, music_tokens=batch["music"], beat_onehot=beats,
                        motion_latents=batch["motion"])
            loss = (pred.float() - batch["noise"]).pow(2).mean()
        opt.zero_grad(set_to_none=True)
        mp.backward(loss)
        mp.step(opt)
        return float(loss)

    return step, sum(p.numel() for p in params)


def timed(step, device, repeats):
    step()  # warm-up
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    for _ in range(repeats):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = (time.perf_counter() - start) / repeats
    peak = torch.cuda.max_memory_allocated() if device.type == "cuda" else None
    return seconds, peak


def run(device, cfg_name, frames, latent, repeats):
    cfg = CONFIGS[cfg_name]()
    tag = f"{device.type}_{cfg_name}_k{frames}_lat{latent}"
    variants = [("fp32", "no", False, 0), ("bf16", "bf16", False, 0), ("fp32_ckpt", "no", True, 0),
                ("bf16_ckpt", "bf16", True, 0), ("fp32_lora8", "no", False, 8)]
    if device.type == "cuda":
        variants.insert(1, ("fp16", "fp16", False, 0))
        if not torch.cuda.is_bf16_supported():
            variants = [v for v in variants if not v[1] == "bf16"]
    reference = None
    for name, precision, ckpt, lora in variants:
        step, trainable = make_step(cfg, device, frames, latent, precision, ckpt, lora)
        seconds, peak = timed(step, device, repeats)
        bench(f"train_step_{tag}_{name}", seconds * 1000, "ms")
        if reference is None:
            reference = seconds
        else:
            bench(f"train_step_{tag}_{name}_vs_fp32", seconds / reference, "x")
        if peak is not None:
            bench(f"train_step_{tag}_{name}_peak_mem", peak / 2 ** 20, "MiB")
        if lora:
            bench(f"train_step_{tag}_{name}_trainable_params", trainable, "params")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="CPU threads (1: stable numbers on a shared machine)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    run(torch.device("cpu"), "tiny", frames=4, latent=8, repeats=args.repeats)
    if torch.cuda.is_available():
        run(torch.device("cuda"), "tiny", frames=48, latent=16, repeats=args.repeats)
        run(torch.device("cuda"), "sd15", frames=8, latent=32, repeats=args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
