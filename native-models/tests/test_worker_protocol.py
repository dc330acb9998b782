"""The training worker over real stdio (PROTOCOL.md): greeting, validation, train -> pause -> sample -> resume ->
cancel -> resume from disk, SIGTERM checkpointing; real worker process, real training library, tiny shapes."""
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

from musedance_models.config import tiny
from musedance_models.data.synthetic import generate

NATIVE_MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVENT_TIMEOUT_SEC = 300  # generous: the machine's 2 cores are shared with other test suites


class Worker:
    def __init__(self, tmp_path):
        self.stderr = open(tmp_path / "worker.stderr.log", "w")
        self.proc = subprocess.Popen([sys.executable, "-u", "-m", "musedance_models.worker", "--heartbeat-sec", "0.5"],
                                     cwd=NATIVE_MODELS, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, text=True)
        self.events = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.events.put(json.loads(line))  # every stdout line must be one JSON object
        self.events.put(None)

    def send(self, message):
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def send_raw(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def until(self, predicate, timeout=EVENT_TIMEOUT_SEC):
        deadline = time.monotonic() + timeout
        while True:
            event = self.events.get(timeout=max(deadline - time.monotonic(), 0.01))
            assert event is not None, "worker closed stdout"
            self.seen.append(event)
            if predicate(event):
                return event

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(30)
        self.stderr.close()


@pytest.fixture
def worker(tmp_path):
    w = Worker(tmp_path)
    yield w
    w.close()


@pytest.fixture(scope="module")
def micro(tmp_path_factory):
    """A 16x16, K=4 variant of tiny and a 2-clip synthetic dataset in its format."""
    root = tmp_path_factory.mktemp("worker_data")
    generate(str(root / "ds"), train=2, heldout=1, seed=0, size=16, duration_sec=1.5)
    cfg = tiny()
    cfg.height = cfg.width = 16
    cfg.frames_per_segment = 4
    return {"dataset": str(root / "ds"), "config": cfg.to_dict(), "root": root}


def _train(micro, run_dir, **extra):
    spec = {"cmd": "train", "runDir": str(run_dir), "datasetDir": micro["dataset"], "config": micro["config"],
            "stage": 1, "steps": 50, "batchSize": 1, "learningRate": 1e-4, "threads": 1,
            "checkpointEverySteps": 0}
    spec.update(extra)
    return spec


def test_greeting_then_every_bad_command_gets_a_clear_error(worker, tmp_path):
    hello = worker.until(lambda e: True)
    assert hello["type"] == "hello" and hello["seq"] == 0 and hello["protocol"] == 1
    assert hello["torchVersion"] and hello["device"] in ("cpu", "cuda:0") and hello["pid"] == worker.proc.pid
    assert set(hello["commands"]) == {"train", "resume", "pause", "cancel", "sample", "export", "shutdown"}
    worker.send_raw("{not json")
    assert worker.until(lambda e: e["type"] == "error")["code"] == "BAD_JSON"
    worker.send({"id": "x1", "cmd": "dance"})
    error = worker.until(lambda e: e["type"] == "error")
    assert (error["id"], error["code"], error["fatal"]) == ("x1", "BAD_COMMAND", False)
    worker.send({"id": "x2", "cmd": "train", "runDir": str(tmp_path / "r"), "datasetDir": str(tmp_path), "steps": 0})
    assert "steps must be" in worker.until(lambda e: e["type"] == "error")["message"]
    worker.send({"id": "x3", "cmd": "train", "runDir": str(tmp_path / "r"), "datasetDir": str(tmp_path), "steps": 1,
                 "typo": 1})
    assert "unknown field(s) typo" in worker.until(lambda e: e["type"] == "error")["message"]
    worker.send({"id": "x4", "cmd": "pause"})
    assert worker.until(lambda e: e["type"] == "error")["code"] == "NOT_RUNNING"
    worker.send({"id": "x5", "cmd": "resume"})
    assert worker.until(lambda e: e["type"] == "error")["code"] == "NOT_PAUSED"
    worker.send({"id": "x6", "cmd": "resume", "runDir": str(tmp_path / "nothing")})
    assert worker.until(lambda e: e["type"] == "error")["code"] == "BAD_REQUEST"
    # a folder that is not a dataset: accepted, then the job fails with DATASET_INVALID and the worker lives on
    worker.send({"id": "x7", "cmd": "train", "runDir": str(tmp_path / "r"), "datasetDir": str(tmp_path), "steps": 1})
    assert worker.until(lambda e: e["type"] == "ack")["id"] == "x7"
    error = worker.until(lambda e: e["type"] == "error")
    assert (error["id"], error["code"]) == ("x7", "DATASET_INVALID") and "dataset.json" in error["message"]
    done = worker.until(lambda e: e["type"] == "done")
    assert (done["id"], done["status"]) == ("x7", "failed")
    assert worker.until(lambda e: e["type"] == "heartbeat")["state"] == "idle"
    worker.send({"id": "bye", "cmd": "shutdown"})
    worker.until(lambda e: e["type"] == "ack" and e["id"] == "bye")
    assert worker.proc.wait(30) == 0
    seqs = [e["seq"] for e in worker.seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_train_pause_sample_resume_cancel_then_resume_from_disk(worker, micro, tmp_path):
    run_dir = tmp_path / "run"
    worker.until(lambda e: e["type"] == "hello")
    worker.send(dict(_train(micro, run_dir), id="t1"))
    assert worker.until(lambda e: e["type"] in ("ack", "error"))["type"] == "ack"
    estimate = worker.until(lambda e: e["type"] in ("estimate", "loss"))
    assert estimate["type"] == "estimate" and estimate["trainableParameters"] > 0 and estimate["totalBytes"] > 0
    first = worker.until(lambda e: e["type"] == "loss")
    assert (first["id"], first["runId"], first["stage"], first["step"]) == ("t1", "run", 1, 1)
    worker.send({"id": "p1", "cmd": "pause"})
    checkpoint = worker.until(lambda e: e["type"] == "checkpoint")
    assert checkpoint["reason"] == "pause" and os.path.isfile(checkpoint["path"])
    paused = worker.until(lambda e: e["type"] == "paused")
    assert worker.until(lambda e: e["type"] == "heartbeat")["state"] == "paused"
    clip = os.path.join(micro["dataset"], "clips", "train_0000")
    worker.send({"id": "s1", "cmd": "sample", "outDir": str(tmp_path / "sample"), "prompt": "a dancer bounces",
                 "referenceImage": os.path.join(clip, "frames", "000000.png"), "audioPath": os.path.join(clip, "audio.wav"),
                 "beatTimesSec": [0.25], "numInferenceSteps": 2, "seed": 3})
    sample = worker.until(lambda e: e["type"] == "sample")
    assert sample["id"] == "s1" and sample["step"] == paused["step"] and len(sample["frames"]) == 4
    assert all(os.path.getsize(f) > 0 for f in sample["frames"]) and os.path.getsize(sample["audioPath"]) > 44
    assert worker.until(lambda e: e["type"] == "done")["id"] == "s1"
    worker.send({"id": "r1", "cmd": "resume"})
    resumed = worker.until(lambda e: e["type"] == "resumed")
    assert (resumed["id"], resumed["step"]) == ("r1", paused["step"])
    after = worker.until(lambda e: e["type"] == "loss")
    assert after["step"] == paused["step"] + 1
    worker.send({"id": "c1", "cmd": "cancel"})
    done = worker.until(lambda e: e["type"] == "done")
    assert (done["id"], done["cmd"], done["status"]) == ("t1", "train", "cancelled")
    assert done["checkpoint"] == checkpoint["path"] and done["step"] >= after["step"]
    # a new job continues the run from its folder, from the step it was cancelled at
    worker.send({"id": "r2", "cmd": "resume", "runDir": str(run_dir), "steps": done["step"] + 2})
    worker.until(lambda e: e["type"] == "ack" and e["id"] == "r2")
    assert worker.until(lambda e: e["type"] == "loss")["step"] == done["step"] + 1
    final = worker.until(lambda e: e["type"] == "checkpoint")
    assert final["reason"] == "final" and final["step"] == done["step"] + 2
    finished = worker.until(lambda e: e["type"] == "done")
    assert (finished["id"], finished["status"], finished["step"]) == ("r2", "completed", done["step"] + 2)
    # idle: sample from the saved checkpoint
    worker.send({"id": "s2", "cmd": "sample", "outDir": str(tmp_path / "idle_sample"), "checkpoint": final["path"],
                 "referenceImage": os.path.join(clip, "frames", "000000.png"), "audioPath": os.path.join(clip, "audio.wav"),
                 "numInferenceSteps": 1})
    idle_sample = worker.until(lambda e: e["type"] in ("sample", "error"))
    assert idle_sample["type"] == "sample" and idle_sample["runId"] is None and len(idle_sample["frames"]) == 4
    assert worker.until(lambda e: e["type"] == "done")["status"] == "completed"
    worker.proc.stdin.close()  # EOF = shutdown
    assert worker.proc.wait(30) == 0


def test_sigterm_saves_a_checkpoint_and_exits_cleanly(worker, micro, tmp_path):
    worker.until(lambda e: e["type"] == "hello")
    worker.send(dict(_train(micro, tmp_path / "run"), id="t2"))
    worker.until(lambda e: e["type"] == "loss")
    worker.proc.send_signal(signal.SIGTERM)
    checkpoint = worker.until(lambda e: e["type"] == "checkpoint")
    done = worker.until(lambda e: e["type"] == "done")
    assert checkpoint["reason"] == "terminate" and os.path.isfile(checkpoint["path"])
    assert (done["status"], done["checkpoint"], done["step"]) == ("terminated", checkpoint["path"], checkpoint["step"])
    assert worker.proc.wait(60) == 0
