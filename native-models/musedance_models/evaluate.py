"""Held-out evaluation of trained variants (issue 7): denoising loss vs an untrained model, sampled-video quality
(PSNR/SSIM to the ground-truth clip, SSIM to the reference, inter-frame motion) and beat alignment, for the
Table-3-style ablation. Prints a table and `BENCH <name> <value> <unit>` lines.

    /usr/bin/python3 recipes/tiny_pack.py eval                  # the tiny pack's variants (runs/tiny/...)

Protocol (fixed seeds, identical for every variant):
- held-out clips: subjects and songs never seen in training (DATASET.md);
- loss: K-frame segments starting at frame M of each clip (previous M ground-truth frames as motion frames,
  frame 0 as reference, the segment's audio and beats, the caption), fixed noise, timesteps 100, 400, 700;
- sampling: the song's first segment of each clip (reference = frame 0, motion = reference latent repeated,
  PACK.md), DDIM with CFG, fixed initial noise; metrics on the K decoded frames."""
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from .audio_features import fbank_features, segment_audio
from .beats import beat_onehot
from .data.loader import Dataset, to_unit
from .export import load_checkpoint_model
from .metrics import beat_alignment_score, psnr, ssim
from .models.musedance import MuseDance
from .pipeline import cfg_rows, decode_frames, sample_segment
from .schedulers import DDPMScheduler

LOSS_TIMESTEPS = (100, 400, 700)
EVAL_CLIPS = 12   # every held-out clip: with 4, beat-alignment differences between variants were noise
SAMPLE_STEPS = 20  # the studio's 'standard' preset and the manifest's defaultNumSteps (8, the draft preset, was used before)
GUIDANCE = 3.5
SAMPLE_SEED = 4321   # the noise of the table's samples; `seeds` re-samples with others


def _over_seeds(measure, ckpt, data_dir, seeds, out_json):
    """measure(model, tokenizer, clips, fps, seed) of one checkpoint for each noise seed, as {seed: metrics}."""
    torch.set_num_threads(1)
    model, tok_dir, _ = load_checkpoint_model(ckpt)
    cfg = model.cfg
    clips = Dataset(data_dir, "heldout", cfg.fps, cfg.height, cfg.width).clips[:EVAL_CLIPS]
    res = {str(seed): measure(model, _tokenizer(tok_dir), clips, cfg.fps, seed) for seed in seeds}
    with open(out_json, "w") as f:
        json.dump(res, f, indent=1)
    return res


def metrics_over_seeds(ckpt, data_dir, seeds, out_json):
    """The sample metrics of one checkpoint again with other noise seeds (beat alignment is noisy per sample)."""
    return _over_seeds(sample_metrics, ckpt, data_dir, seeds, out_json)


def _tokenizer(tok_dir):
    from .tokenizer import ClipTokenizer
    return ClipTokenizer.from_dir(tok_dir)


def _to_hwc01(frames_m11: torch.Tensor) -> np.ndarray:
    return ((frames_m11.clamp(-1, 1) + 1) / 2).permute(0, 2, 3, 1).numpy().astype(np.float64)


@torch.no_grad()
def segment_inputs(model, tokenizer, clip, start_frame: int, vae):
    cfg = model.cfg
    K, M = cfg.frames_per_segment, cfg.motion_frames
    x = torch.from_numpy(to_unit(clip.frames))
    lat = torch.cat([vae.encode_scaled(x[i:i + 24]) for i in range(0, len(x), 24)])
    start_sec = start_frame / cfg.fps
    wave = segment_audio(clip.audio, start_sec, cfg.segment_samples)
    return dict(
        lat=lat, ref=lat[0:1], x0=lat[start_frame:start_frame + K],
        prev=lat[start_frame - M:start_frame][None] if start_frame >= M else lat[0:1, None].repeat(1, M, 1, 1, 1),
        fbank=torch.from_numpy(fbank_features(wave, cfg.audio))[None],
        beats=torch.from_numpy(beat_onehot(clip.beat_times_sec, start_sec, cfg.fps, K)),
        ids=torch.tensor([tokenizer.encode(clip.caption)]), empty=torch.tensor([tokenizer.encode("")]))


@torch.no_grad()
def heldout_loss(model: MuseDance, vae, tokenizer, clips) -> float:
    cfg = model.cfg
    sched = DDPMScheduler(cfg.num_train_timesteps, cfg.beta_start, cfg.beta_end)
    g = torch.Generator().manual_seed(1234)
    losses = []
    for clip in clips:
        inp = segment_inputs(model, tokenizer, clip, cfg.motion_frames, vae)
        text = model.text_encoder(inp["ids"])
        feats = model.reference_net(inp["ref"], text)
        music = model.audio_encoder(inp["fbank"])
        x0 = inp["x0"][None]
        for t in LOSS_TIMESTEPS:
            noise = torch.randn(x0.shape, generator=g)
            tt = torch.tensor([t])
            pred = model.unet(sched.add_noise(x0, noise, tt), tt, text, feats, music, inp["beats"][None], inp["prev"])
            losses.append(float(F.mse_loss(pred, noise)))
    return float(np.mean(losses))


@torch.no_grad()
def _sample_first_segment(model: MuseDance, inp: dict, noise: torch.Tensor, beats: torch.Tensor) -> np.ndarray:
    """The song's first segment as the studio samples it (motion frames = the reference), decoded to HWC in 0..1."""
    text_c, text_u = model.text_encoder(inp["ids"]), model.text_encoder(inp["empty"])
    music = model.audio_encoder(inp["fbank"])
    motion = inp["ref"][:, None].repeat(1, model.cfg.motion_frames, 1, 1, 1)
    lat = sample_segment(model, inp["ref"], text_c, text_u, music, beats, motion, noise, SAMPLE_STEPS, GUIDANCE)
    return _to_hwc01(decode_frames(model, lat))


@torch.no_grad()
def sample_metrics(model: MuseDance, tokenizer, clips, fps: float, seed: int = SAMPLE_SEED) -> dict:
    cfg = model.cfg
    K = cfg.frames_per_segment
    g = torch.Generator().manual_seed(seed)
    out = {k: [] for k in ("psnr", "ssim", "ssim_to_ref", "interframe_diff", "beat_alignment")}
    for clip in clips:
        inp = segment_inputs(model, tokenizer, clip, 0, model.vae)
        noise = torch.randn(inp["x0"].shape, generator=g)
        frames = _sample_first_segment(model, inp, noise, inp["beats"])
        gt = clip.frames[:K].astype(np.float64) / 255.0
        ref = gt[0]
        out["psnr"].append(np.mean([psnr(frames[i], gt[i]) for i in range(K)]))
        out["ssim"].append(np.mean([ssim(frames[i], gt[i]) for i in range(K)]))
        out["ssim_to_ref"].append(np.mean([ssim(frames[i], ref) for i in range(K)]))
        out["interframe_diff"].append(float(np.abs(np.diff(frames, axis=0)).mean()))
        out["beat_alignment"].append(beat_alignment_score(frames, clip.beat_times_sec, fps))
    res = {k: float(np.mean(v)) for k, v in out.items()}
    res["beat_alignment_per_clip"] = [float(b) for b in out["beat_alignment"]]   # for paired comparisons
    return res


@torch.no_grad()
def beat_shift_metrics(model: MuseDance, tokenizer, clips, fps: float, seed: int = SAMPLE_SEED) -> dict:
    """Does the motion follow the beat input? Each clip is sampled twice with the same noise, music and caption:
    with its beats, and with the beat one-hot moved by half a beat period (music unchanged). Both videos are
    scored against both beat grids. A model that ignores the beat input scores the same either way; one that
    follows it moves its motion beats with the input: `follows` = mean of (true input on the true grid - shifted
    input on the true grid) and (shifted input on the shifted grid - true input on the shifted grid)."""
    cfg = model.cfg
    K = cfg.frames_per_segment
    g = torch.Generator().manual_seed(seed)
    out = {k: [] for k in ("true_on_true", "true_on_shifted", "shifted_on_true", "shifted_on_shifted")}
    for clip in clips:
        inp = segment_inputs(model, tokenizer, clip, 0, model.vae)
        noise = torch.randn(inp["x0"].shape, generator=g)
        true_beats = np.asarray(clip.beat_times_sec, dtype=np.float64)
        half = float(np.median(np.diff(true_beats))) / 2.0
        shifted = np.concatenate([true_beats[:1] - half, true_beats + half])   # off-beats, the one before too
        grids = {"true": true_beats, "shifted": shifted}
        inputs = {"true": inp["beats"], "shifted": torch.from_numpy(beat_onehot(list(shifted), 0.0, cfg.fps, K))}
        for given, onehot in inputs.items():
            frames = _sample_first_segment(model, inp, noise, onehot)
            for grid, times in grids.items():
                out[f"{given}_on_{grid}"].append(beat_alignment_score(frames, list(times), fps))
    res = {k: float(np.mean(v)) for k, v in out.items()}
    per_clip = [((a - b) + (c - d)) / 2.0 for a, b, c, d in
                zip(out["true_on_true"], out["shifted_on_true"], out["shifted_on_shifted"], out["true_on_shifted"])]
    res["follows_per_clip"] = per_clip
    res["follows"] = float(np.mean(per_clip))
    return res


def beat_shift_over_seeds(ckpt, data_dir, seeds, out_json):
    """`beat_shift_metrics` of one checkpoint for some noise seeds, as {seed: metrics} in out_json."""
    return _over_seeds(beat_shift_metrics, ckpt, data_dir, seeds, out_json)


def paired_difference(a: dict, b: dict, key: str = "beat_alignment_per_clip") -> dict:
    """Variant a minus variant b over the same (seed, clip) samples, as `metrics_over_seeds` writes them
    ({seed: {key: [per clip]}}): same clips and same initial noise, so the pairs cancel what the noise does to
    both. Returns the mean difference, its standard error, the pairs a wins / loses, and their count."""
    seeds = sorted(set(a) & set(b), key=int)
    d = np.array([x - y for s in seeds for x, y in zip(a[s][key], b[s][key], strict=True)], dtype=np.float64)
    if d.size < 2:
        raise ValueError("need at least two paired samples")
    return {"mean": float(d.mean()), "stderr": float(d.std(ddof=1) / np.sqrt(d.size)),
            "wins": int((d > 0).sum()), "losses": int((d < 0).sum()), "pairs": int(d.size), "seeds": seeds}


def other_song_beat_alignment(videos, beat_lists, fps):
    """Chance level of beat alignment: each real dance video scored against the beats of the next clip with a
    different beat grid (held-out clips can share a song). None when every clip has the same grid."""
    scores = []
    for i, video in enumerate(videos):
        others = [beat_lists[(i + d) % len(beat_lists)] for d in range(1, len(beat_lists))]
        other = next((b for b in others if not np.array_equal(np.asarray(b), np.asarray(beat_lists[i]))), None)
        if other is not None:
            scores.append(beat_alignment_score(video, other, fps))
    return float(np.mean(scores)) if scores else None


def reference_metrics(clips, fps, K) -> dict:
    """Ground truth and chance levels on the same clips: the floors' justification."""
    gt = [c.frames[:K].astype(np.float64) / 255.0 for c in clips]
    other = [np.mean([ssim(gt[(i + 1) % len(gt)][f], gt[i][0]) for f in range(0, K, 4)]) for i in range(len(gt))]
    return {
        "gt_ssim_to_ref": float(np.mean([np.mean([ssim(v[f], v[0]) for f in range(K)]) for v in gt])),
        "gt_interframe_diff": float(np.mean([np.abs(np.diff(v, axis=0)).mean() for v in gt])),
        "gt_beat_alignment": float(np.mean([beat_alignment_score(v, c.beat_times_sec, fps) for v, c in zip(gt, clips)])),
        "other_song_beat_alignment": other_song_beat_alignment(gt, [c.beat_times_sec for c in clips], fps),
        "other_clip_ssim_to_ref": float(np.mean(other)),
    }


def evaluate_variant(name, ckpt, data_dir, out_json, untrained=False):
    torch.set_num_threads(1)
    model, tok_dir, _ = load_checkpoint_model(ckpt)
    tokenizer = _tokenizer(tok_dir)
    cfg = model.cfg
    clips = Dataset(data_dir, "heldout", cfg.fps, cfg.height, cfg.width).clips[:EVAL_CLIPS]
    res = {"name": name, "checkpoint": ckpt}
    t0 = time.time()
    if untrained:   # same config, fresh weights, but the trained VAE to make latents (loss is in its space)
        torch.manual_seed(0)
        fresh = MuseDance(cfg).eval()
        res["heldout_loss"] = heldout_loss(fresh, model.vae, tokenizer, clips)
        res.update(reference_metrics(clips, cfg.fps, cfg.frames_per_segment))
    else:
        res["heldout_loss"] = heldout_loss(model, model.vae, tokenizer, clips)
        res.update(sample_metrics(model, tokenizer, clips, cfg.fps))
    res["seconds"] = time.time() - t0
    with open(out_json, "w") as f:
        json.dump(res, f, indent=1)
    return res


PAPER_TABLE3 = [  # paper Table 3 rows as printed (the column marks were lost in the text; order as in the paper)
    ("row 1", 24.49, 0.611, 0.291, 738.69), ("row 2", 24.63, 0.619, 0.283, 612.34),
    ("row 3", 28.88, 0.674, 0.277, 400.55), ("full (all three)", 29.59, 0.680, 0.276, 311.04)]


def run_side_by_side(jobs: dict) -> None:
    """Runs `python <args>` for every {label: args} at once, one thread each (OpenMP barriers stall on
    oversubscribed cores), in native-models/; SystemExit naming the first job that failed."""
    native = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    procs = {label: subprocess.Popen([sys.executable] + args, cwd=native,
                                     env=dict(os.environ, PYTHONPATH=native, OMP_NUM_THREADS="1"))
             for label, args in jobs.items()}
    failed = [label for label, p in procs.items() if p.wait() != 0]
    if failed:
        raise SystemExit(f"{failed[0]} failed")


def evaluate_all(data_dir, variants: dict, stage1_ckpt, out_json, log=print, quick=False):
    """Runs every variant (and the untrained reference) as one-thread subprocesses side by side."""
    out_dir = os.path.dirname(out_json)
    jobs = dict(variants)
    jobs["untrained"] = variants["full"]
    # Stage 1 alone (its stage-2 modules are still zero-initialised: an identity): what stage 2 adds.
    jobs["stage1_only"] = stage1_ckpt
    todo = {}
    for name, ck in jobs.items():
        path = os.path.join(out_dir, f"eval_{name}.json")
        if os.path.exists(path) and not quick:
            continue
        todo[f"evaluation of {name}"] = ["-m", "musedance_models.evaluate", name, ck, data_dir, path] + (
            ["--untrained"] if name == "untrained" else [])
    run_side_by_side(todo)
    results = {}
    for name in jobs:
        with open(os.path.join(out_dir, f"eval_{name}.json")) as f:
            results[name] = json.load(f)
    with open(out_json, "w") as f:
        json.dump(results, f, indent=1)
    print_report(results)
    return results


def print_report(results):
    u = results["untrained"]
    print(f"held-out clips: {EVAL_CLIPS}, DDIM steps {SAMPLE_STEPS}, guidance {GUIDANCE}")
    print(f"untrained held-out loss {u['heldout_loss']:.4f}; ground truth: SSIM-to-ref {u['gt_ssim_to_ref']:.3f}, "
          f"inter-frame diff {u['gt_interframe_diff']:.4f}, beat alignment {u['gt_beat_alignment']:.3f}; "
          f"other-clip SSIM-to-ref (chance) {u['other_clip_ssim_to_ref']:.3f}"
          + (f", beat alignment to another song's beats (chance) {u['other_song_beat_alignment']:.3f}"
             if u.get("other_song_beat_alignment") is not None else ""))
    print(f"{'variant':10s} {'loss':>7s} {'PSNR':>6s} {'SSIM':>6s} {'SSIMref':>7s} {'motion':>7s} {'BAS':>6s}")
    for name in ("stage1_only", "no_music", "no_motion", "no_beat", "full"):
        r = results.get(name)
        if not r:
            continue
        print(f"{name:10s} {r['heldout_loss']:7.4f} {r['psnr']:6.2f} {r['ssim']:6.3f} {r['ssim_to_ref']:7.3f} "
              f"{r['interframe_diff']:7.4f} {r['beat_alignment']:6.3f}")
    print(f"BENCH tiny_heldout_loss_untrained {u['heldout_loss']:.5f} mse")
    for name in ("full", "no_beat", "no_music", "no_motion"):
        r = results.get(name)
        if not r:
            continue
        print(f"BENCH tiny_heldout_loss_{name} {r['heldout_loss']:.5f} mse")
        print(f"BENCH tiny_psnr_{name} {r['psnr']:.3f} dB")
        print(f"BENCH tiny_ssim_{name} {r['ssim']:.4f} ssim")
        print(f"BENCH tiny_ssim_to_ref_{name} {r['ssim_to_ref']:.4f} ssim")
        print(f"BENCH tiny_interframe_diff_{name} {r['interframe_diff']:.5f} mean_abs")
        print(f"BENCH tiny_beat_alignment_{name} {r['beat_alignment']:.4f} score")
    print(f"BENCH tiny_gt_beat_alignment {u['gt_beat_alignment']:.4f} score")
    if u.get("other_song_beat_alignment") is not None:
        print(f"BENCH tiny_chance_beat_alignment {u['other_song_beat_alignment']:.4f} score")
    print(f"BENCH tiny_chance_ssim_to_ref {u['other_clip_ssim_to_ref']:.4f} ssim")


if __name__ == "__main__":
    a = sys.argv[1:]
    evaluate_variant(a[0], a[1], a[2], a[3], untrained="--untrained" in a)
