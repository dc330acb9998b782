#!/usr/bin/env python3
"""Write fake pretrained-weight sources with the published key names and shapes and random values, for tests,
the e2e and the real-size benchmark (nothing real is downloaded or needed):

    /usr/bin/python3 native-models/scripts/make_fake_sources.py --width small|full|tiny --out DIR [--only sd15,ast,...]

DIR/sd15/{unet,vae,text_encoder,tokenizer}   diffusers layout: config.json + safetensors (VAE with SD1.5's old
                                             attention names, text encoder with position_ids, as published)
DIR/ast/                                     transformers AST: config.json + model.safetensors (with classifier)
DIR/animate-anyone/                          reference_unet.pth, denoising_unet.pth, motion_module.pth, pose_guider.pth
DIR/mm_sd_v15_v2.ckpt                        AnimateDiff v2 motion module (torch.save of the state dict)
Prints one JSON line last: {"sd15":..,"ast":..,"animateAnyone":..,"motionModule":..,"bytes":..}.
Layouts: musedance_models/weights_import/published_layouts.py (sources and commits there). full = SD1.5 widths
(fp16 tensors, ~9 GB for everything); small = the same layouts at widths 32-64 (fp32, a few MB); tiny = two UNet
levels instead of four (same block types and names; what pytest's end-to-end build uses, as its export is fast)."""
import argparse
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from musedance_models.tokenizer import train_bpe  # noqa: E402
from musedance_models.weights_import import published_layouts as L  # noqa: E402
from musedance_models.weights_import.safetensors_io import save_file  # noqa: E402

CAPTIONS = ["a dancer bounces on every beat", "a robot sways side to side", "a cat spins on the downbeat",
            "a person jumps and claps", "a figure waves its arms to the music"]


def random_tensors(shapes, dtype, gen):
    out = {}
    for key, shape in shapes.items():
        if key.endswith("position_ids"):
            out[key] = torch.arange(shape[-1], dtype=torch.int64)[None]
        elif key.endswith(".pos_encoder.pe"):   # AnimateDiff's table is the sinusoidal formula, not learned
            from musedance_models.models.attention import sinusoidal_positions
            out[key] = sinusoidal_positions(shape[1], shape[2])[None].to(dtype)
        elif key.endswith((".weight", "_token", "position_embeddings")) and len(shape) == 1:   # norms: around 1
            out[key] = (1 + 0.02 * torch.randn(shape, generator=gen)).to(dtype)
        else:
            fan_in = math.prod(shape[1:]) if len(shape) > 1 else 1
            out[key] = (torch.randn(shape, generator=gen) * (1.0 / math.sqrt(max(fan_in, 1)))).to(dtype)
    return out


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)


def fake_tokenizer(directory, vocab_size):
    """A CLIP-format vocabulary (bpe_trainer) whose special tokens sit at the last two ids, as CLIP's do."""
    train_bpe(CAPTIONS, 600, directory)
    vocab_path = os.path.join(directory, "vocab.json")
    vocab = json.load(open(vocab_path, encoding="utf-8"))
    vocab["<|startoftext|>"], vocab["<|endoftext|>"] = vocab_size - 2, vocab_size - 1
    write_json(vocab_path, vocab)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--width", choices=("small", "full", "tiny"), required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", default="sd15,ast,animate-anyone,motion-module",
                    help="comma-separated subset of sd15, ast, animate-anyone, motion-module")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    w = L.WIDTHS[a.width]
    dtype = torch.float16 if a.width == "full" else torch.float32
    gen = torch.Generator().manual_seed(a.seed)
    only = set(a.only.split(","))
    out = os.path.abspath(a.out)
    result = {"sd15": None, "ast": None, "animateAnyone": None, "motionModule": None}
    suffix = ".fp16.safetensors" if dtype == torch.float16 else ".safetensors"
    if "sd15" in only:
        sd = os.path.join(out, "sd15")
        for sub in ("unet", "vae", "text_encoder", "tokenizer"):
            os.makedirs(os.path.join(sd, sub), exist_ok=True)
        write_json(os.path.join(sd, "unet", "config.json"), L.diffusers_unet_config(w))
        save_file(random_tensors(L.sd15_unet(w), dtype, gen), os.path.join(sd, "unet", "diffusion_pytorch_model" + suffix))
        write_json(os.path.join(sd, "vae", "config.json"), L.diffusers_vae_config(w))
        save_file(random_tensors(L.sd15_vae(w), dtype, gen), os.path.join(sd, "vae", "diffusion_pytorch_model" + suffix))
        write_json(os.path.join(sd, "text_encoder", "config.json"), L.clip_text_config(w))
        save_file(random_tensors(L.clip_text(w), dtype, gen), os.path.join(sd, "text_encoder", "model" + suffix))
        fake_tokenizer(os.path.join(sd, "tokenizer"), w.vocab)
        result["sd15"] = sd
    if "ast" in only:
        d = os.path.join(out, "ast")
        os.makedirs(d, exist_ok=True)
        write_json(os.path.join(d, "config.json"), L.ast_config(w))
        save_file(random_tensors(L.ast(w), dtype, gen), os.path.join(d, "model.safetensors"))
        result["ast"] = d
    if "animate-anyone" in only:
        d = os.path.join(out, "animate-anyone")
        os.makedirs(d, exist_ok=True)
        for name, shapes in L.animate_anyone(w).items():
            torch.save(random_tensors(shapes, dtype, gen), os.path.join(d, name))
        result["animateAnyone"] = d
    if "motion-module" in only:
        path = os.path.join(out, "mm_sd_v15_v2.ckpt")
        os.makedirs(out, exist_ok=True)
        torch.save(random_tensors(L.animatediff_motion(w, 2), dtype, gen), path)
        result["motionModule"] = path
    result["bytes"] = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(out) for f in fs)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
