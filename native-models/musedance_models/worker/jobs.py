"""Jobs the worker runs on its job thread: a training run (new or resumed), a sample, an export.

Every job ends with exactly one `done` event carrying the id of the command that started it.
The training library is reached only through `session.py`.
"""
import json
import os
import sys
import time
import traceback
from typing import Any, Dict, Optional

from . import errors
from .control import JobControl
from .protocol import EventWriter, ProtocolError

SAMPLES_DIR = "samples"
RUN_SPEC_FILE = "run.json"
CHECKPOINT_FILE = "checkpoint.pt"  # the training library's single, atomically replaced checkpoint
PAUSE_POLL_SEC = 0.2


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
            if code == "OUT_OF_MEMORY":
                message = self.out_of_memory_message(exc)
            self.writer.error(code, message, self.command_id, fatal=False)
            self._done("failed", **self.failure_fields())

    def _run(self) -> None:
        raise NotImplementedError

    def out_of_memory_message(self, exc: BaseException) -> str:
        from ..scale.memory_estimate import out_of_memory_advice
        from .session import device_memory_bytes

        session = getattr(self, "session", None)
        estimate = getattr(session, "estimate_value", None)
        return out_of_memory_advice(estimate, device_memory_bytes())

    def failure_fields(self) -> Dict[str, Any]:
        return {}

    def _done(self, status: str, **fields: Any) -> None:
        self.state = "done"
        self.writer.emit("done", id=self.command_id, cmd=self.cmd, status=status, **fields)


class TrainJob(Job):
    """A run: new (`train`) or continued from its folder (`resume` with runDir)."""
    kind = "train"

    def __init__(self, command_id, cmd, writer, control, spec: Dict[str, Any], resuming: bool):
        super().__init__(command_id, cmd, writer, control)
        self.spec = spec
        self.resuming = resuming
        self.run_dir = os.path.abspath(spec["runDir"])
        self.run_id = os.path.basename(self.run_dir.rstrip(os.sep))
        self.last_checkpoint: Optional[str] = None
        self.session = None
        self._stop_reason: Optional[str] = None
        self._started = time.monotonic()
        self._start_step = 0

    # -- lifecycle ----------------------------------------------------------------------------------------
    def _run(self) -> None:
        from . import session as training_api  # imports torch: keep the worker's greeting fast

        self.state = "training"
        os.makedirs(self.run_dir, exist_ok=True)
        if not self.resuming:
            with open(os.path.join(self.run_dir, RUN_SPEC_FILE), "w", encoding="utf-8") as handle:
                json.dump(self.spec, handle, indent=1)
        self.session = training_api.RunSession(self.spec)
        self.step = self._start_step = self.session.step
        existing = os.path.join(self.run_dir, CHECKPOINT_FILE)
        self.last_checkpoint = existing if self.resuming and os.path.exists(existing) else None
        self._emit("estimate", **self.session.estimate())
        self._started = time.monotonic()
        while True:
            result = self.session.run(self._on_library_event, self._should_stop)
            self.step = int(result["step"])
            if not result.get("stopped"):
                self._done("completed", runId=self.run_id, step=self.step, checkpoint=self.last_checkpoint)
                return
            if self._finish_if_stopping():
                return
            self._pause()  # the library stopped because of a pause request (checkpoint written)
            if self._finish_if_stopping():
                return
            self._stop_reason = None

    def _should_stop(self) -> bool:
        """Called by the library between steps: serve samples, then stop for pause / cancel / terminate."""
        self._serve_samples()
        control = self.control
        if control.terminate_requested:
            self._stop_reason = "terminate"
        elif control.cancel_requested:
            self._stop_reason = "cancel"
        elif control.pause_requested:
            self._stop_reason = "pause"
        return self._stop_reason is not None

    def _pause(self) -> None:
        control = self.control
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

    def _finish_if_stopping(self) -> bool:
        control = self.control
        if control.terminate_requested:
            self.state = "stopping"
            if self._stop_reason != "terminate":  # stopped earlier (pause): the checkpoint is current
                self._emit("checkpoint", step=self.step, path=self.last_checkpoint, reason="terminate")
            self._done("terminated", runId=self.run_id, step=self.step, checkpoint=self.last_checkpoint)
            return True
        if control.cancel_requested:
            self.state = "stopping"
            self._done("cancelled", runId=self.run_id, step=self.step, checkpoint=self.last_checkpoint)
            return True
        return False

    def _on_library_event(self, event: Dict[str, Any]) -> None:
        kind = event.get("event")
        stage = self.spec["stage"]
        if kind == "loss":
            self.step = int(event["step"])
            self._emit("loss", stage=stage, step=self.step, loss=float(event["loss"]), lr=self.session.learning_rate())
            if self.spec["sampleEverySteps"] and self.step % self.spec["sampleEverySteps"] == 0:
                self._preview_sample()
        elif kind == "progress":
            self.step = int(event["step"])
            total = int(event["totalSteps"])
            elapsed = time.monotonic() - self._started
            done_here = self.step - self._start_step
            rate = done_here / elapsed if elapsed > 0 and done_here > 0 else None
            self._emit("progress", stage=stage, step=self.step, totalSteps=total, elapsedSec=round(elapsed, 3),
                       stepsPerSec=rate, etaSec=(total - self.step) / rate if rate else None)
        elif kind == "checkpoint":
            path = os.path.abspath(event["path"])
            step = int(event["step"])
            if self._stop_reason is not None:
                reason = self._stop_reason
            elif step >= self.spec["steps"]:
                reason = "final"
            else:
                reason = "interval"
            if (path, step, reason) == getattr(self, "_last_checkpoint_event", None):
                return  # the library writes the same checkpoint twice when the last step is also an interval
            self._last_checkpoint_event = (path, step, reason)
            self.last_checkpoint = path
            self._emit("checkpoint", step=step, path=path, reason=reason)

    # -- helpers ------------------------------------------------------------------------------------------
    def failure_fields(self) -> Dict[str, Any]:
        return {"runId": self.run_id, "step": self.step, "checkpoint": self.last_checkpoint}

    def _emit(self, event_type: str, **fields: Any) -> None:
        self.writer.emit(event_type, id=self.command_id, runId=self.run_id, **fields)

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
