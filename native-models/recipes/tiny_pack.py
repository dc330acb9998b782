"""Recipe: the bundled `musedance-tiny` pack, reproducibly from scratch (issue 7). Run from native-models/:

    /usr/bin/python3 recipes/tiny_pack.py train      # data + VAE + stage 1 (2 phases) + 4 stage-2 variants (resumable)
    /usr/bin/python3 recipes/tiny_pack.py export     # ONNX pack of the full variant -> assets/models/musedance-tiny
    /usr/bin/python3 recipes/tiny_pack.py eval       # held-out metrics + ablation, also as BENCH lines
    /usr/bin/python3 recipes/tiny_pack.py seeds      # full vs no_beat sample metrics over more noise seeds
    /usr/bin/python3 recipes/tiny_pack.py samples    # held-out reference images -> assets/samples
    /usr/bin/python3 recipes/tiny_pack.py all        # the three in order

(`python -m musedance_models.tiny_pack <command>`, the old spelling, forwards here.) A recipe, not library code:
it only chooses data, budgets and variants for musedance_models' trainer, exporter and evaluation.

Everything lives in native-models/runs/tiny/ (gitignored); re-running the same command resumes every phase from
its last checkpoint and skips finished ones. Budgets are in optimiser steps (sized from step times measured on
this 2-core machine while shared: ~0.5 s VAE, ~1.5 s stage 1, ~3.5 s stage 2 per step with one thread each;
one thread per process because OpenMP barriers stall badly on oversubscribed cores). The four stage-2 variants
(full, no_beat, no_music, no_motion; paper Table 3) start from the same stage-1 checkpoint with the same budget and
seed and run as four one-thread processes side by side."""
import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NATIVE = os.path.dirname(HERE)
sys.path.insert(0, NATIVE)   # musedance_models, when run as a script
REPO = os.path.dirname(NATIVE)
RUN_DIR = os.path.join(NATIVE, "runs", "tiny")
DATA_DIR = os.path.join(RUN_DIR, "data")
PACK_DIR = os.path.join(REPO, "assets", "models", "musedance-tiny")

MAX_CLIPS = 160  # train clips used (all generated): more subjects is what lets the model copy an unseen reference
# Threads per training process. One by default: OpenMP barriers stall badly on oversubscribed cores, and the
# four stage-2 variants run side by side. On an idle machine, VAE and stage 1 (one process) can use more.
THREADS = int(os.environ.get("MUSEDANCE_TRAIN_THREADS", "1"))
BUDGET = {
    "vae": dict(steps=6000, batch_size=8, lr=1e-3, vae_crop=32),
    # stage 1 with the reference guide (paper Eq. 1 Conv(D), D = the reference latent), then continued with the
    # high-noise weighting, which teaches it the subject's shape at the noise the first DDIM steps start from
    # (RESULTS.md, round 6: +1.2 dB PSNR, 13 % less flicker than stage 1 without them)
    "stage1": dict(steps=16000, batch_size=6, lr=5e-4, window=6, reference_guide=True),
    "stage1_high_noise": dict(steps=4000, batch_size=6, lr=5e-4, window=6, high_noise_weight_cap=20.0),
    # temporal/beat windows: the 48-frame segment at inference is attended like the 8-frame training windows
    # (beat_offsets=4 and frame_diff_loss=1 were tried and not adopted: RESULTS.md, beat-shift test)
    "stage2": dict(steps=4000, batch_size=2, lr=5e-4, train_frames=8, temporal_window=4, beat_window=4,
                   high_noise_weight_cap=20.0),
}
# The recipe's two stage-1 phases, each a run folder runs/tiny/stage1_<name>; the last is the stage 1 that the
# stage-2 variants (and experiments without --stage1-run) start from.
STAGE1_PHASES = (("refguide", "stage1"), ("refguide_hn", "stage1_high_noise"))
VARIANTS = {
    "full": dict(use_music=True, use_beat=True, use_motion=True),
    "no_beat": dict(use_music=True, use_beat=False, use_motion=True),
    "no_music": dict(use_music=False, use_beat=True, use_motion=True),
    "no_motion": dict(use_music=True, use_beat=True, use_motion=False),
}


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def _events(prefix):
    def on_event(e):
        if e["event"] in ("loss", "checkpoint", "done", "start"):
            log(f"{prefix} {json.dumps(e)}")
    return on_event


def run_stage(phase, out, init=None, **extra):
    """One phase of the recipe (BUDGET[phase]); `extra` adds or overrides TrainSpec fields for experiments."""
    from musedance_models.train import TrainSpec, run
    stage = "stage1" if phase.startswith("stage1") else phase
    _check_same_init(out, init)
    spec = TrainSpec(stage=stage, dataset=DATA_DIR, out_dir=out, init=init, threads=THREADS, seed=0, max_clips=MAX_CLIPS,
                     latent_cache=os.path.join(RUN_DIR, "latents.pt"),
                     checkpoint_every_steps=100, checkpoint_every_sec=150, log_every=10, **{**BUDGET[phase], **extra})
    return run(spec, _events(os.path.basename(out)))


def _run_and_file(path):
    """'stage1_refguide_hn/checkpoint.pt' of a checkpoint path: which run it is, wherever the repository lives."""
    return os.path.join(*os.path.realpath(path).split(os.sep)[-2:])


def _check_same_init(out, init):
    """A run folder resumes only the chain it started: runs/tiny from before a recipe change may hold a finished
    stage-2 run trained from another stage 1, which would otherwise be taken as done. Inits are compared by run
    folder and file name, so a moved repository still resumes; an unreadable checkpoint is the trainer's to report."""
    ckpt = os.path.join(out, "checkpoint.pt")
    if init is None or not os.path.exists(ckpt):
        return
    from musedance_models.checkpoint_io import load_own
    try:
        started = (load_own(ckpt).get("spec") or {}).get("init")
    except Exception:   # noqa: BLE001 - corrupt or truncated: Trainer._resume says so with its own message
        return
    if started and _run_and_file(started) != _run_and_file(init):
        raise SystemExit(f"{out} was started from {started}, not {init}: move that folder away to retrain it")


def ensure_data():
    if not os.path.exists(os.path.join(DATA_DIR, "dataset.json")):
        from musedance_models.data.synthetic import generate
        log("generating synthetic data")
        os.makedirs(DATA_DIR, exist_ok=True)
        generate(DATA_DIR, train=160, heldout=12, seed=0)


def stage2_dir(name):
    return os.path.join(RUN_DIR, f"stage2_{name}")


def stage1_dir(name=None):
    """runs/tiny/stage1_<name>; without a name, the recipe's final stage 1 (the last of STAGE1_PHASES)."""
    return os.path.join(RUN_DIR, f"stage1_{name or STAGE1_PHASES[-1][0]}")


def cmd_train(_args):
    ensure_data()
    run_stage("vae", os.path.join(RUN_DIR, "vae"))
    init = os.path.join(RUN_DIR, "vae", "checkpoint.pt")
    for name, phase in STAGE1_PHASES:
        run_stage(phase, stage1_dir(name), init=init)
        init = os.path.join(stage1_dir(name), "checkpoint.pt")
    procs = []
    for name in VARIANTS:
        logf = open(os.path.join(RUN_DIR, f"stage2_{name}.log"), "a")
        procs.append((name, subprocess.Popen([sys.executable, os.path.abspath(__file__), "stage2", name],
                                             cwd=NATIVE, stdout=logf, stderr=subprocess.STDOUT,
                                             env=dict(os.environ, PYTHONPATH=NATIVE, OMP_NUM_THREADS="1",
                                                         MUSEDANCE_TRAIN_THREADS="1"))))  # 4 side by side
    failed = [n for n, p in procs if p.wait() != 0]
    if failed:
        raise SystemExit(f"stage-2 variants failed: {failed} (see {RUN_DIR}/stage2_<name>.log)")
    log("training done")


def _given(**options):
    """The experiment options the command line set (None = not given: the recipe's or the init's value)."""
    return {k: v for k, v in options.items() if v is not None}


def cmd_stage1(args):
    """Stage 1 again as an experiment (runs/tiny/stage1_<run-name>): from the recipe's VAE, or continued from
    another experiment's stage 1 (--from-run, --steps more steps); `stage2 --stage1-run` then trains on it."""
    if args.from_run == args.run_name:
        raise SystemExit(f"--from-run {args.from_run}: a run cannot continue from itself")
    extra = _given(reference_guide=None if args.reference_guide is None else args.reference_guide == "on",
                   high_noise_weight_cap=args.high_noise_weight_cap, steps=args.steps)
    if args.from_run:   # continuing: the init's guide unless asked, and the continued phase's budget
        extra.setdefault("reference_guide", None)
        init, phase = os.path.join(stage1_dir(args.from_run), "checkpoint.pt"), "stage1_high_noise"
    else:
        init, phase = os.path.join(RUN_DIR, "vae", "checkpoint.pt"), "stage1"
    run_stage(phase, stage1_dir(args.run_name), init=init, **extra)


def cmd_stage2(args):
    """One stage-2 variant of the recipe; --run-name and the other options train an
    experiment beside it (runs/tiny/stage2_<run-name>), so the shipped runs stay untouched."""
    extra = _given(frame_diff_loss=args.frame_diff_loss, beat_offsets=args.beat_offsets,
                   high_noise_weight_cap=args.high_noise_weight_cap, paired_noise=args.paired_noise or None)
    run_stage("stage2", stage2_dir(args.run_name or args.variant), init=os.path.join(stage1_dir(args.stage1_run),
              "checkpoint.pt"), **VARIANTS[args.variant], **extra)


def cmd_export(_args):
    from musedance_models.export import export_pack
    export_pack(os.path.join(stage2_dir("full"), "checkpoint.pt"), PACK_DIR, name="musedance-tiny",
                golden=True, log=log)


def cmd_eval(args):
    from musedance_models.evaluate import evaluate_all
    evaluate_all(DATA_DIR, {n: os.path.join(stage2_dir(n), "checkpoint.pt") for n in VARIANTS},
                 os.path.join(stage1_dir(), "checkpoint.pt"), os.path.join(RUN_DIR, "eval.json"), log=log,
                 quick=args.quick)


SAMPLES_DIR = os.path.join(REPO, "assets", "samples")
# Held-out subjects (never trained on) used as the studio's sample reference images and by the generate e2e.
SAMPLE_CLIPS = {"dancer.png": "heldout_0002", "ring.png": "heldout_0001"}
SAMPLE_UPSCALE = 4   # nearest-neighbour: shrinking it back to the pack's 64x64 gives the original pixels


def cmd_samples(_args):
    from PIL import Image
    ensure_data()
    os.makedirs(SAMPLES_DIR, exist_ok=True)
    for name, clip in SAMPLE_CLIPS.items():
        frame = Image.open(os.path.join(DATA_DIR, "clips", clip, "frames", "000000.png")).convert("RGB")
        big = frame.resize((frame.width * SAMPLE_UPSCALE, frame.height * SAMPLE_UPSCALE), Image.NEAREST)
        big.save(os.path.join(SAMPLES_DIR, name), optimize=True)
        log(f"{name} <- {clip} frame 0 ({big.width}x{big.height})")


def _per_seed(names, seeds, prefix, function):
    """Runs evaluate.<function>(checkpoint, data, [seed], out) in one process per (variant, seed), side by side,
    into runs/tiny/<prefix>_<variant>_<seed>.json (an existing file is kept: delete them after retraining);
    returns {variant: {seed: metrics}}."""
    code = (f"import sys; from musedance_models.evaluate import {function} as f; "
            "f(sys.argv[1], sys.argv[2], [int(sys.argv[3])], sys.argv[4])")
    from musedance_models.evaluate import run_side_by_side
    out = lambda name, seed: os.path.join(RUN_DIR, f"{prefix}_{name}_{seed}.json")  # noqa: E731
    run_side_by_side({f"{function} of {name} (seed {seed})":
                      ["-c", code, os.path.join(stage2_dir(name), "checkpoint.pt"), DATA_DIR, str(seed), out(name, seed)]
                      for name in names for seed in seeds if not os.path.exists(out(name, seed))})
    results = {}
    for name in names:
        results[name] = {}
        for seed in seeds:
            with open(out(name, seed)) as f:
                results[name].update(json.load(f))
    return results


def cmd_shift(args):
    """Beat-shift test: does the motion move when only the beat input moves by half a period (evaluate.py)?"""
    import numpy as np
    names, seeds = args.variants.split(","), [int(x) for x in args.seeds.split(",")]
    for name, per_seed in _per_seed(names, seeds, "shift", "beat_shift_over_seeds").items():
        follows = [v for r in per_seed.values() for v in r["follows_per_clip"]]
        mean = float(np.mean(follows))
        stderr = float(np.std(follows, ddof=1) / np.sqrt(len(follows))) if len(follows) > 1 else float("nan")
        parts = ", ".join(f"{k} {np.mean([r[k] for r in per_seed.values()]):.4f}"
                          for k in ("true_on_true", "shifted_on_true", "shifted_on_shifted", "true_on_shifted"))
        log(f"{name}: {parts}; follows the beat input by {mean:+.4f} (standard error {stderr:.4f}, "
            f"{len(follows)} (seed, clip) samples)")
        print(f"BENCH tiny_beat_shift_follows_{name} {mean:.4f} score")
        print(f"BENCH tiny_beat_shift_follows_{name}_stderr {stderr:.4f} score")


def cmd_seeds(args):
    """Beat alignment (and the other sample metrics) of some variants over extra noise seeds: one process per
    (variant, seed), side by side; a (variant, seed) whose file exists is not sampled again (delete
    runs/tiny/seeds_*.json after retraining)."""
    names, seeds = args.variants.split(","), [int(x) for x in args.seeds.split(",")]
    pair = args.pair or (["full", "no_beat"] if {"full", "no_beat"} <= set(names) else None)
    if pair and not set(pair) <= set(names):   # checked before sampling, which takes minutes
        raise SystemExit(f"--pair {','.join(pair)}: both must be among --variants ({args.variants})")
    results = _per_seed(names, seeds, "seeds", "metrics_over_seeds")
    for name, res in results.items():
        bas = [r["beat_alignment"] for r in res.values()]
        log(f"{name}: beat alignment per seed {[round(x, 4) for x in bas]} mean {sum(bas) / len(bas):.4f}")
    if not pair:
        return
    from musedance_models.evaluate import SAMPLE_SEED, paired_difference
    a, b = pair
    for name in (a, b):   # the table's own samples (eval) are one more seed of pairs
        table = os.path.join(RUN_DIR, f"eval_{name}.json")
        if os.path.exists(table) and str(SAMPLE_SEED) not in results[name]:
            with open(table) as f:
                results[name][str(SAMPLE_SEED)] = json.load(f)
    d = paired_difference(results[a], results[b])
    log(f"{a} - {b} beat alignment over {d['pairs']} (seed, clip) pairs: {d['mean']:+.4f} "
        f"(standard error {d['stderr']:.4f}; {a} higher in {d['wins']}, lower in {d['losses']})")
    print(f"BENCH tiny_beat_alignment_{a}_minus_{b} {d['mean']:.4f} score")
    print(f"BENCH tiny_beat_alignment_{a}_minus_{b}_stderr {d['stderr']:.4f} score")


def _run_name(text):
    """A run name is one folder name under runs/tiny (letters, digits, _ and -), never a path."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a run name (letters, digits, _ and - only)")
    return text


def _positive_int(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def _pair(text):
    parts = text.split(",")
    if len(parts) != 2 or not all(parts):
        raise argparse.ArgumentTypeError(f"{text!r} is not two run names a,b")
    return parts


def main(argv=None):
    ap = argparse.ArgumentParser(description="train / export / evaluate the bundled musedance-tiny pack")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("train")
    s1 = sub.add_parser("stage1", help="experiment: stage 1 again into runs/tiny/stage1_<run-name>")
    s1.add_argument("--run-name", type=_run_name, required=True)
    s1.add_argument("--reference-guide", choices=("on", "off"), help="UNetConfig.reference_guide (default: on from the VAE, as the recipe; the init's with --from-run)")
    s1.add_argument("--from-run", type=_run_name, help="continue runs/tiny/stage1_<from-run> instead of starting at the VAE")
    s1.add_argument("--steps", type=_positive_int, help="optimiser steps (default: the recipe's budget for the phase)")
    s1.add_argument("--high-noise-weight-cap", type=float, help="TrainSpec.high_noise_weight_cap (default: the "
                    "recipe's for the phase: 0 from the VAE, 20 with --from-run)")
    s2 = sub.add_parser("stage2")
    s2.add_argument("variant", choices=list(VARIANTS))
    s2.add_argument("--run-name", type=_run_name, help="experiment: train into runs/tiny/stage2_<run-name> instead")
    s2.add_argument("--frame-diff-loss", type=float, help="experiment: TrainSpec.frame_diff_loss")
    s2.add_argument("--beat-offsets", type=int, help="experiment: TrainSpec.beat_offsets")
    s2.add_argument("--high-noise-weight-cap", type=float, help="experiment: TrainSpec.high_noise_weight_cap")
    s2.add_argument("--stage1-run", type=_run_name, help="experiment: start from runs/tiny/stage1_<stage1-run>")
    s2.add_argument("--paired-noise", action="store_true", help="experiment: TrainSpec.paired_noise (variants trained "
                    "with it draw identical batches, so their training losses pair step by step)")
    sub.add_parser("export")
    ev = sub.add_parser("eval")
    ev.add_argument("--quick", action="store_true")
    se = sub.add_parser("seeds", help="sample metrics over extra noise seeds")
    se.add_argument("--variants", default="full,no_beat")
    se.add_argument("--seeds", default="1,2,3")   # the pairs also include the table's own seed (eval_<name>.json)
    se.add_argument("--pair", type=_pair, help="a,b (two of --variants): report a - b over the paired (seed, clip) "
                    "samples; default full,no_beat when both are sampled")
    sh = sub.add_parser("shift", help="does the motion follow the beat input moved by half a period?")
    sh.add_argument("--variants", default="full")
    sh.add_argument("--seeds", default="1")
    sub.add_parser("samples")
    sub.add_parser("all")
    a = ap.parse_args(argv)
    import torch
    torch.set_num_threads(1)
    if a.cmd == "all":
        cmd_train(a); cmd_export(a); a.quick = False; cmd_eval(a)
    else:
        {"train": cmd_train, "stage1": cmd_stage1, "stage2": cmd_stage2, "export": cmd_export, "eval": cmd_eval, "samples": cmd_samples,
         "seeds": cmd_seeds, "shift": cmd_shift}[a.cmd](a)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
