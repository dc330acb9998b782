"""Round 7 (issue 7): does more training make the tiny pack's beat input matter? One prepared run for a lent GPU.

The recipe fits a 2-core CPU; a lent GPU gives minutes, not hours. This script spends them on one question, with
two arms trained side by side from the round-6 base (runs/tiny/stage1_refguide_hn: stage 1 with the reference
guide + high-noise weighting, RESULTS.md "Round 6"):
- `long_<variant>`: stage 2 only, from that base, with a batch of 16x the recipe's for the whole budget;
- `s1gpu` then `s1gpu_<variant>`: stage 1 continued with a batch of 16x the recipe's, then stage 2 as above.
Every phase runs to a wall-clock deadline (the step count is what the GPU managed, logged). The results come back
as slim checkpoints (models without the VAE or optimiser, so each fits the device tool's 16 MiB per file), which
`import` turns back into runs/tiny/stage{1,2}_<name>/checkpoint.pt with this machine's VAE and tokenizer; then
`tiny_pack seeds` / `tiny_pack shift` measure them like any other run.

    /usr/bin/python3 scripts/tiny_scale_gpu.py carry                   # here: inputs -> <repo>/.gpu_carry (gitignored)
    python3 scripts/tiny_scale_gpu.py run --out $OUT --seconds 465     # on the device (its python3 has CUDA torch)
    /usr/bin/python3 scripts/tiny_scale_gpu.py import <folder>         # here: the slim checkpoints -> runs/tiny
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NATIVE = os.path.dirname(HERE)
sys.path.insert(0, NATIVE)
sys.path.insert(0, os.path.join(NATIVE, "recipes"))

import tiny_pack  # noqa: E402  (native-models/recipes/tiny_pack.py)
from musedance_models.checkpoint_io import load_own  # noqa: E402

CARRY = os.path.join(os.path.dirname(NATIVE), ".gpu_carry")
BASE_RUN = "refguide_hn"                 # the round-6 stage 1 both arms start from
VARIANTS = ("full", "no_beat")           # the floor's comparison; the other two ablations wait for a result
BATCH_SCALE = 16                         # the GPU's step time hardly grows with batch at 8x8 latents
LR = {"stage1": 5e-4, "stage2": 1e-3}    # stage 1 continues a trained model; stage 2's modules start near zero
STAGE1_SHARE = 0.45                      # of the budget, for the continued stage 1 (its stage 2 gets the rest)


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def cmd_carry(_args):
    """The device gets the base checkpoint (models only) and the tokenizer; it regenerates the data (seeded)."""
    ck = load_own(os.path.join(tiny_pack.stage1_dir(BASE_RUN), "checkpoint.pt"))
    os.makedirs(CARRY, exist_ok=True)
    import torch
    torch.save({"config": ck["config"], "models": ck["models"], "tokenizer_dir": None, "stage": "stage1",
                "step": ck["step"]}, os.path.join(CARRY, "base_stage1.pt"))
    tok = os.path.join(CARRY, "tokenizer")
    shutil.rmtree(tok, ignore_errors=True)
    shutil.copytree(ck["tokenizer_dir"], tok)
    log(f"carry: {CARRY} (base {BASE_RUN} at step {ck['step']})")


def _spec(stage, out_dir, init, data, device, variant=None, overrides=()):
    from musedance_models.train import TrainSpec
    # the continued stage 1 is the recipe's high-noise phase; both carry the recipe's high-noise weighting (cap 20)
    budget = dict(tiny_pack.BUDGET["stage1_high_noise" if stage == "stage1" else stage])
    budget.update(batch_size=budget["batch_size"] * BATCH_SCALE, lr=LR[stage], steps=10 ** 9)
    for item in overrides:   # "field=value" (TrainSpec numbers), e.g. beat_offsets=4
        key, value = item.split("=")
        budget[key] = float(value) if "." in value else int(value)
    return TrainSpec(stage=stage, dataset=data, out_dir=out_dir, init=init, threads=2, seed=0,
                     max_clips=tiny_pack.MAX_CLIPS, tokenizer_dir=os.path.join(CARRY, "tokenizer"),
                     latent_cache=os.path.join(os.path.dirname(data), "latents.pt"), device=device,
                     checkpoint_every_steps=10 ** 9, checkpoint_every_sec=10 ** 9, log_every=100,
                     **budget, **(tiny_pack.VARIANTS[variant] if variant else {}))


def _arm(text):
    """--arm NAME:VARIANT[:field=value,...], checked before the device run starts (a typo must not cost device time)."""
    from dataclasses import fields
    from musedance_models.train import TrainSpec
    parts = text.split(":")
    if len(parts) not in (2, 3) or not tiny_pack.re.fullmatch(r"[A-Za-z0-9_-]+", parts[0]):
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME:VARIANT[:field=value,...]")
    if parts[1] not in tiny_pack.VARIANTS:
        raise argparse.ArgumentTypeError(f"{parts[1]!r} is not a variant ({', '.join(tiny_pack.VARIANTS)})")
    known = {f.name for f in fields(TrainSpec)}
    for item in (parts[2].split(",") if len(parts) == 3 else ()):
        key, _, value = item.partition("=")
        if key not in known or not tiny_pack.re.fullmatch(r"-?[0-9]+(\.[0-9]*)?", value):
            raise argparse.ArgumentTypeError(f"{item!r} is not field=number with a TrainSpec field")
    return text


def _train(args):
    """One phase in this process, until the deadline (child of `run`)."""
    from musedance_models.train import run
    name = os.path.basename(args.out_dir)

    def on_event(e):
        if e["event"] in ("progress", "done", "start"):
            log(f"{name} {json.dumps(e)}")
    run(_spec(args.stage, args.out_dir, args.init, args.data, args.device, args.variant, args.set), on_event,
        should_stop=lambda: time.time() > args.deadline)


def _spawn(stage, out_dir, init, deadline, data, device, variant=None, logs=None, overrides=()):
    cmd = [sys.executable, os.path.abspath(__file__), "_train", stage, out_dir, "--init", init, "--deadline",
           str(deadline), "--data", data, "--device", device] + (["--variant", variant] if variant else [])
    cmd += [a for o in overrides for a in ("--set", o)]
    return subprocess.Popen(cmd, stdout=logs, stderr=subprocess.STDOUT, env=dict(os.environ, OMP_NUM_THREADS="2"))


def _slim(ckpt, dst):
    """Models without the VAE (this machine has the same one) and without the optimiser: < 16 MiB."""
    import torch
    ck = load_own(ckpt)
    models = {k: v for k, v in ck["models"].items() if k != "vae"}
    torch.save({"config": ck["config"], "models": models, "stage": ck["stage"], "step": ck["step"], "spec": ck["spec"],
                "losses": ck["losses"]}, dst)
    tail = ck["losses"][-200:]
    log(f"{os.path.basename(dst)}: step {ck['step']}, mean of the last {len(tail)} losses "
        f"{sum(tail) / max(len(tail), 1):.4f}, "
        f"{os.path.getsize(dst) / 2 ** 20:.1f} MiB")


def cmd_run(args):
    t0 = time.time()
    work = os.path.join(NATIVE, "runs", "tiny_gpu")
    data = os.path.join(work, "data")
    if not os.path.exists(os.path.join(data, "dataset.json")):
        from musedance_models.data.synthetic import generate
        generate(data, train=160, heldout=12, seed=0)   # the same files as runs/tiny/data (seeded)
    log(f"data ready in {time.time() - t0:.0f} s")
    base = os.path.join(CARRY, args.base)
    from musedance_models.train import Trainer
    Trainer(_spec("stage1", os.path.join(work, "cache_only"), base, data, args.device))   # latents.pt once, not raced
    log(f"latents cached at {time.time() - t0:.0f} s")
    end = t0 + args.seconds
    s1_end = t0 + STAGE1_SHARE * args.seconds
    logs = open(os.path.join(work, "children.log"), "w") if args.quiet_children else None
    stage1_ok = False
    if args.arm:   # only these stage-2 arms from the base, to the deadline
        arms = [a.split(":") for a in args.arm]
        procs = {a[0]: _spawn("stage2", os.path.join(work, a[0]), base, end, data, args.device, a[1], logs,
                              a[2].split(",") if len(a) > 2 else ()) for a in arms}
    else:
        procs = {f"long_{v}": _spawn("stage2", os.path.join(work, f"long_{v}"), base, end, data, args.device, v, logs)
                 for v in VARIANTS}
        s1 = os.path.join(work, "s1gpu")
        stage1_ok = _spawn("stage1", s1, base, s1_end, data, args.device, logs=logs).wait() == 0
        if stage1_ok:
            procs.update({f"s1gpu_{v}": _spawn("stage2", os.path.join(work, f"s1gpu_{v}"),
                                               os.path.join(s1, "checkpoint.pt"), end, data, args.device, v, logs)
                          for v in VARIANTS})
        else:
            log("s1gpu failed; only the long_* arm runs")
    failed = [n for n, p in procs.items() if p.wait() != 0]
    os.makedirs(args.out, exist_ok=True)
    for name in ["s1gpu"] * stage1_ok + list(procs):
        path = os.path.join(work, name, "checkpoint.pt")
        if name not in failed and os.path.exists(path):
            _slim(path, os.path.join(args.out, f"{name}.pt"))
    log(f"run done in {time.time() - t0:.0f} s; failed: {failed or 'none'}")
    return 1 if failed or not (args.arm or stage1_ok) else 0


def cmd_import(args):
    """Slim checkpoints -> runs/tiny/stage1_gpu_<name> / stage2_gpu_<name> with this machine's VAE and tokenizer."""
    import torch
    vae = load_own(os.path.join(tiny_pack.RUN_DIR, "vae", "checkpoint.pt"))["models"]["vae"]
    tok = load_own(os.path.join(tiny_pack.stage1_dir(BASE_RUN), "checkpoint.pt"))["tokenizer_dir"]
    for f in sorted(os.listdir(args.folder)):
        if not f.endswith(".pt"):
            continue
        ck = load_own(os.path.join(args.folder, f))
        name = "gpu_" + f[:-3]
        out = tiny_pack.stage1_dir(name) if ck["stage"] == "stage1" else tiny_pack.stage2_dir(name)
        os.makedirs(out, exist_ok=True)
        ck.update(models={**ck["models"], "vae": vae}, tokenizer_dir=tok, finished=True, format="musedance-checkpoint")
        torch.save(ck, os.path.join(out, "checkpoint.pt"))
        log(f"{f} -> {out} (step {ck['step']})")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("carry")
    r = sub.add_parser("run")
    r.add_argument("--out", required=True)
    r.add_argument("--seconds", type=float, required=True, help="wall-clock budget of the whole run")
    r.add_argument("--device", default="cuda")
    r.add_argument("--arm", action="append", type=_arm, help="NAME:VARIANT[:field=value,...] (repeatable): instead of the "
                   "round-7 arms, only these stage-2 runs from the base, e.g. full_o4:full:beat_offsets=4")
    r.add_argument("--base", default="base_stage1.pt", help="init of every run, in .gpu_carry (a stage-2 "
                   "checkpoint with its VAE continues that run's stage 2 with --arm)")
    r.add_argument("--quiet-children", action="store_true", help="children's logs to runs/tiny_gpu/children.log")
    t = sub.add_parser("_train")
    t.add_argument("stage")
    t.add_argument("out_dir")
    t.add_argument("--init", required=True)
    t.add_argument("--deadline", type=float, required=True)
    t.add_argument("--data", required=True)
    t.add_argument("--device", required=True)
    t.add_argument("--variant")
    t.add_argument("--set", action="append", default=[])
    i = sub.add_parser("import")
    i.add_argument("folder")
    a = ap.parse_args(argv)
    return {"carry": cmd_carry, "run": cmd_run, "_train": _train, "import": cmd_import}[a.cmd](a) or 0


if __name__ == "__main__":
    raise SystemExit(main())
