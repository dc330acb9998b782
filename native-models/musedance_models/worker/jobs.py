"""Jobs the worker runs on its job thread: a training run (new or resumed), a sample, an export.

Every job ends with exactly one `done` event carrying the id of the command that started it.
The training library is reached only through `session.py`.
"""
import glob
import json
import os
import re
import sys
import time
import traceback
from typing import Any, Dict, Optional

from . import errors
from .control import JobControl
from .protocol import EventWriter, ProtocolError

CHECKPOINT_DIR = "checkpoints"
SAMPLES_DIR = "samples"
RUN_SPEC_FILE = "run.json"
FINAL_CHECKPOINT = "final.pt"
STEP_CHECKPOINT = re.compile(r"^step_(\d{8})\.pt$")
PAUSE_POLL_SEC = 0.2


def step_checkpoint_path(run_dir: str, step: int) -> str:
    return os.path.join(run_dir, CHECKPOINT_DIR, f"step_{step:08d}.pt")


def newest_checkpoint(run_dir: str) -> Optional[str]:
    """Newest step_*.pt; final.pt when the run finished and no later step checkpoint exists."""
    folder = os.path.join(run_dir, CHECKPOINT_DIR)
    steps = sorted(p for p in glob.glob(os.path.join(folder, "step_*.pt")) if STEP_CHECKPOINT.match(os.path.basename(p)))
    final = os.path.join(folder, FINAL_CHECKPOINT)
    if os.path.exists(final):
        if not steps or os.path.getmtime(final) >= os.path.getmtime(steps[-1]):
            return final
    return steps[-1] if steps else None


class Job:
    kind = "job"

    def __init__(self, command_id: Optional[str], cmd: str, writer: EventWriter, control: JobControl):
        self.command_id = command_id
        self.cmd = cmd
        self.writer = writer
        self.control = control
        self.state = "starting"
        self.run_id: Optional[str] = None
        self.step: Optional[int] = None

    def run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # a job failure never kills the worker
            traceback.print_exc(file=sys.stderr)
            code, message = errors.classify(exc)
            self.writer.error(code, message, self.command_id, fatal=False)
            self._done("failed")

    def _run(self) -> None:
        raise NotImplementedError

    def _done(self, status: str, **fields: Any) -> None:
        self.state = "done"
        self.writer.emit("done", id=self.command_id, cmd=self.cmd, status=status, **fields)


class TrainJob(Job):
    """A run: new (`train`) or continued from disk (`resume` with runDir)."""
    kind = "train"

    def __init__(self, command_id, cmd, writer, control, spec: Dict[str, Any], resume_checkpoint: Optional[str]):
        super().__init__(command_id, cmd, writer, control)
        self.spec = spec
        self.resume_checkpoint = resume_checkpoint
        self.run_dir = os.path.abspath(spec["runDir"])
        self.run_id = os.path.basename(self.run_dir.rstrip(os.sep))
        self.last_checkpoint: Optional[str] = None
        self.session = None

    # -- lifecycle ----------------------------------------------------------------------------------------
    def _run(self) -> None:
        from . import session as training_api  # imports torch: keep the worker's greeting fast

        self.state = "training"
        os.makedirs(os.path.join(self.run_dir, CHECKPOINT_DIR), exist_ok=True)
        if self.resume_checkpoint is None:
            with open(os.path.join(self.run_dir, RUN_SPEC_FILE), "w", encoding="utf-8") as handle:
                json.dump(self.spec, handle, indent=1)
        self.session = training_api.open_run(self.spec, self.resume_checkpoint)
        self.step = self.session.step
        self.last_checkpoint = self.resume_checkpoint
        self._emit("estimate", **self.session.estimate())
        started = time.monotonic()
        start_step = self.step
        total = self.spec["steps"]
        while True:
            stop = self._step_boundary()
            if stop:
                return
            if self.step >= total:
                break
            metrics = self.session.train_step()
            self.step = self.session.step
            elapsed = time.monotonic() - started
            rate = (self.step - start_step) / elapsed if elapsed > 0 else None
            self._emit("loss", stage=self.spec["stage"], step=self.step, loss=metrics["loss"], lr=metrics["lr"])
            self._emit("progress", stage=self.spec["stage"], step=self.step, totalSteps=total,
                       elapsedSec=round(elapsed, 3), stepsPerSec=rate,
                       etaSec=(total - self.step) / rate if rate else None)
            every = self.spec["checkpointEverySteps"]
            if every and self.step % every == 0 and self.step < total:
                self._checkpoint("interval")
            every = self.spec["sampleEverySteps"]
            if every and self.step % every == 0:
                self._preview_sample()
        final = os.path.join(self.run_dir, CHECKPOINT_DIR, FINAL_CHECKPOINT)
        self._save(final, "final")
        self._done("completed", runId=self.run_id, step=self.step, checkpoint=self.last_checkpoint)

    def _step_boundary(self) -> bool:
        """Serve pause / samples / cancel / terminate between steps. True = the job has ended."""
        control = self.control
        self._serve_samples()
        if control.pause_requested and not control.stopping:
            self._checkpoint("pause")
            control.paused = True
            self.state = "paused"
            self._emit("paused", step=self.step)
            while control.pause_requested and not control.stopping:
                control.wait(PAUSE_POLL_SEC)
                self._serve_samples()
            control.paused = False
            if not control.stopping:
                self.state = "training"
                self.writer.emit("resumed", id=control.resume_id, runId=self.run_id, step=self.step)
        if control.terminate_requested:
            self.state = "stopping"
            self._checkpoint("terminate")
            self._done("terminated", runId=self.run_id, step=self.step, checkpoint=self.last_checkpoint)
            return True
        if control.cancel_requested:
            self.state = "stopping"
            if control.cancel_save:
                self._checkpoint("cancel")
            self._done("cancelled", runId=self.run_id, step=self.step, checkpoint=self.last_checkpoint)
            return True
        return False

    # -- helpers ------------------------------------------------------------------------------------------
    def _emit(self, event_type: str, **fields: Any) -> None:
        self.writer.emit(event_type, id=self.command_id, runId=self.run_id, **fields)

    def _checkpoint(self, reason: str) -> None:
        path = step_checkpoint_path(self.run_dir, self.step)
        if self.last_checkpoint == path and os.path.exists(path):
            self._emit("checkpoint", step=self.step, path=path, reason=reason)  # nothing changed since
            return
        self._save(path, reason)
        self._prune()

    def _save(self, path: str, reason: str) -> None:
        temp = path + ".tmp"
        self.session.save_checkpoint(temp)
        os.replace(temp, path)
        self.last_checkpoint = path
        self._emit("checkpoint", step=self.step, path=path, reason=reason)

    def _prune(self) -> None:
        folder = os.path.join(self.run_dir, CHECKPOINT_DIR)
        steps = sorted(p for p in os.listdir(folder) if STEP_CHECKPOINT.match(p))
        for name in steps[:-self.spec["keepCheckpoints"]]:
            os.remove(os.path.join(folder, name))

    def _serve_samples(self) -> None:
        for command_id, fields in self.control.take_samples():
            try:
                result = self.session.sample(fields, os.path.abspath(fields["outDir"]))
                self.writer.emit("sample", id=command_id, runId=self.run_id, step=self.step, **result)
                self.writer.emit("done", id=command_id, cmd="sample", status="completed")
            except Exception as exc:
                traceback.print_exc(file=sys.stderr)
                code, message = errors.classify(exc)
                self.writer.error(code, message, command_id)
                self.writer.emit("done", id=command_id, cmd="sample", status="failed")

    def _preview_sample(self) -> None:
        out_dir = os.path.join(self.run_dir, SAMPLES_DIR, f"step_{self.step:08d}")
        try:
            result = self.session.preview_sample(out_dir)
        except Exception as exc:  # a failed preview must not end the run
            traceback.print_exc(file=sys.stderr)
            code, message = errors.classify(exc)
            self.writer.error(code, f"preview sample failed: {message}", self.command_id)
            return
        self._emit("sample", step=self.step, **result)


class SampleJob(Job):
    """`sample` while idle: loads a checkpoint and renders one segment."""
    kind = "sample"

    def __init__(self, command_id, writer, control, fields: Dict[str, Any]):
        super().__init__(command_id, "sample", writer, control)
        self.fields = fields

    def _run(self) -> None:
        from . import session as training_api

        self.state = "sampling"
        if not self.fields.get("checkpoint"):
            raise ProtocolError("BAD_REQUEST", "sample: checkpoint is required when no run is active")
        result = training_api.sample_from_checkpoint(self.fields["checkpoint"], self.fields,
                                                     os.path.abspath(self.fields["outDir"]), self.control)
        if result is None:
            self._done("cancelled")
            return
        self.writer.emit("sample", id=self.command_id, runId=None, step=None, **result)
        self._done("completed")


class ExportJob(Job):
    kind = "export"

    def __init__(self, command_id, writer, control, fields: Dict[str, Any]):
        super().__init__(command_id, "export", writer, control)
        self.fields = fields

    def _run(self) -> None:
        from . import session as training_api

        self.state = "exporting"
        result = training_api.export_pack(self.fields)
        self._done("completed", **result)
