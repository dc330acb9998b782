"""DistributedDataParallel on CPU (gloo): two processes with a global batch of 2 end with the same parameters as
one process with batch 2, including a SIGTERM stop of both ranks and a resume from the checkpoint.

The processes are started with torchrun's environment contract (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
MASTER_PORT); the code under test is the real entry point `python -m musedance_models.scale.launch`. (torchrun
itself is not used here: torch 1.13's launcher cannot parse its own defaults on Python 3.11.)"""
import json
import os
import signal
import socket
import subprocess
import sys

import pytest
import torch

from musedance_models.checkpoint_io import load_own
from musedance_models.config import tiny
from musedance_models.data.synthetic import generate

NATIVE_MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN_TIMEOUT_SEC = 600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(spec: dict, spec_path, world: int, log_dir):
    with open(spec_path, "w") as handle:
        json.dump(spec, handle)
    port = _free_port()
    procs = []
    for rank in range(world):
        env = dict(os.environ)
        if world > 1:
            env.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE=str(world),
                       MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
        err = open(os.path.join(log_dir, f"rank{rank}.{os.path.basename(str(spec_path))}.log"), "w")
        procs.append((subprocess.Popen([sys.executable, "-m", "musedance_models.scale.launch", "--spec", str(spec_path)],
                                       cwd=NATIVE_MODELS, env=env, stdout=subprocess.PIPE, stderr=err, text=True), err))
    return procs


def _finish(procs, first_lines=()):
    outputs = []
    for index, (proc, err) in enumerate(procs):
        out, _ = proc.communicate(timeout=RUN_TIMEOUT_SEC)
        err.close()
        assert proc.returncode == 0, open(err.name).read()[-2000:]
        lines = list(first_lines) if index == 0 else []
        outputs.append(lines + [json.loads(line) for line in out.splitlines() if line.strip()])
    assert all(not lines for lines in outputs[1:])  # only rank 0 reports
    return outputs[0]


def _launch(spec: dict, spec_path, world: int, log_dir):
    return _finish(_start(spec, spec_path, world, log_dir))


def _launch_and_sigterm_after_first_loss(spec: dict, spec_path, world: int, log_dir):
    """SIGTERM every rank once rank 0 reported its first loss: all ranks stop at one step, with a checkpoint."""
    procs = _start(spec, spec_path, world, log_dir)
    seen = []
    for line in procs[0][0].stdout:
        seen.append(json.loads(line))
        if seen[-1]["type"] == "loss":
            break
    for proc, _ in procs:
        proc.send_signal(signal.SIGTERM)
    return _finish(procs, seen)


def _models(path):
    return load_own(path)["models"]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("ddp")
    generate(str(root / "ds"), train=2, heldout=0, seed=1, size=16, duration_sec=1.5)
    cfg = tiny()
    cfg.height = cfg.width = 16
    cfg.frames_per_segment = 4
    base = {"datasetDir": str(root / "ds"), "config": cfg.to_dict(), "stage": 1, "batchSize": 2,
            "learningRate": 1e-4, "threads": 1, "checkpointEverySteps": 0, "seed": 7}
    return root, base


def test_two_gloo_processes_match_one_process_and_resume(setup):
    root, base = setup
    total = 6
    # two processes, stopped by SIGTERM after their first step(s); the same command again resumes to the end
    first = _launch_and_sigterm_after_first_loss(dict(base, runDir=str(root / "ddp"), steps=total),
                                                 root / "ddp.json", 2, str(root))
    stopped = next(e for e in first if e["type"] == "done")
    assert stopped["stopped"] is True and 1 <= stopped["step"] < total
    assert next(e for e in first if e["type"] == "checkpoint")["step"] == stopped["step"]
    second = _launch(dict(base, runDir=str(root / "ddp"), steps=total), root / "ddp.json", 2, str(root))
    start = next(e for e in second if e["type"] == "start")
    assert start["resumed"] is True and start["step"] == stopped["step"]
    # one process, same global batch, uninterrupted
    single = _launch(dict(base, runDir=str(root / "single"), steps=total), root / "single.json", 1, str(root))
    ddp_losses = [e["loss"] for e in first + second if e["type"] == "loss"]
    single_losses = [e["loss"] for e in single if e["type"] == "loss"]
    assert len(ddp_losses) == len(single_losses) == total
    assert ddp_losses == pytest.approx(single_losses, rel=1e-4)
    ddp, one = _models(root / "ddp" / "checkpoint.pt"), _models(root / "single" / "checkpoint.pt")
    for part, state in one.items():
        for key, value in state.items():
            assert torch.allclose(ddp[part][key].float(), value.float(), atol=5e-5, rtol=1e-4), f"{part}.{key}"
    estimate = next(e for e in first if e["type"] == "estimate")
    assert estimate["trainableParameters"] > 0 and second[-1]["type"] == "done"
