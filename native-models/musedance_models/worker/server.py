"""The worker process: greeting, stdin reader, heartbeat, one job thread, SIGTERM handling."""
import json
import os
import platform
import queue
import signal
import sys
import threading
import time
from typing import Optional, TextIO

from .control import JobControl
from .jobs import CHECKPOINT_FILE, RUN_SPEC_FILE, ExportJob, Job, SampleJob, TrainJob
from .protocol import (COMMANDS, PROTOCOL_VERSION, WORKER_VERSION, EventWriter, ProtocolError, parse_command,
                       validate_fields)

COMMAND_POLL_SEC = 0.1
JOB_JOIN_POLL_SEC = 0.1


def device_facts() -> dict:
    import numpy
    import torch

    cuda = torch.cuda.is_available()
    bf16 = True
    if cuda:
        try:
            bf16 = bool(torch.cuda.is_bf16_supported())
        except Exception:
            bf16 = False
    return {
        "torchVersion": torch.__version__, "pythonVersion": platform.python_version(),
        "numpyVersion": numpy.__version__, "device": "cuda:0" if cuda else "cpu",
        "deviceName": torch.cuda.get_device_name(0) if cuda else "cpu",
        "cudaAvailable": cuda, "bf16Supported": bf16,
    }


class WorkerServer:
    def __init__(self, stdin: TextIO, stdout: TextIO, heartbeat_sec: float):
        self.stdin = stdin
        self.writer = EventWriter(stdout)
        self.heartbeat_sec = heartbeat_sec
        self.commands: "queue.Queue" = queue.Queue()
        self.shutdown = threading.Event()
        self.job: Optional[Job] = None
        self.job_thread: Optional[threading.Thread] = None
        self.control = JobControl()
        self.started = time.monotonic()

    # -- threads ------------------------------------------------------------------------------------------
    def _read_stdin(self) -> None:
        for line in self.stdin:
            if line.strip():
                self.commands.put(line)
        self.commands.put(None)  # EOF

    def _heartbeat(self) -> None:
        while not self.shutdown.wait(self.heartbeat_sec):
            job = self._active_job()
            self.writer.emit("heartbeat", state=job.state if job else "idle", runId=job.run_id if job else None,
                             step=job.step if job else None,
                             uptimeSec=round(time.monotonic() - self.started, 3))

    def _active_job(self) -> Optional[Job]:
        job = self.job
        if job is None or job.state == "done" or (self.job_thread and not self.job_thread.is_alive()):
            return None
        return job

    # -- main loop ----------------------------------------------------------------------------------------
    def serve(self) -> int:
        self.writer.emit("hello", protocol=PROTOCOL_VERSION, workerVersion=WORKER_VERSION, pid=os.getpid(),
                         commands=list(COMMANDS), **device_facts())
        threading.Thread(target=self._read_stdin, name="stdin", daemon=True).start()
        threading.Thread(target=self._heartbeat, name="heartbeat", daemon=True).start()
        while not self.shutdown.is_set():
            try:
                line = self.commands.get(timeout=COMMAND_POLL_SEC)
            except queue.Empty:
                continue
            if line is None:
                break
            self._dispatch(line)
        return self._stop()

    def request_shutdown(self, *_args) -> None:
        self.shutdown.set()

    def _stop(self) -> int:
        self.shutdown.set()
        job = self._active_job()
        if job is not None:
            self.control.request_terminate()
            while self.job_thread.is_alive():
                self.job_thread.join(JOB_JOIN_POLL_SEC)
        return 0

    # -- commands -----------------------------------------------------------------------------------------
    def _dispatch(self, line: str) -> None:
        try:
            command_id, cmd, fields = parse_command(line)
        except ProtocolError as err:
            self.writer.error(err.code, err.message, getattr(err, "command_id", None))
            return
        try:
            getattr(self, f"_cmd_{cmd}")(command_id, fields)
        except ProtocolError as err:
            self.writer.error(err.code, err.message, command_id)

    def _require_idle(self, cmd: str) -> None:
        job = self._active_job()
        if job is not None:
            raise ProtocolError("BUSY", f"{cmd}: the worker is busy ({job.state} {job.run_id or job.kind})")

    def _start(self, command_id: Optional[str], cmd: str, job: Job) -> None:
        self.writer.emit("ack", id=command_id, cmd=cmd)
        self.job = job
        self.job_thread = threading.Thread(target=job.run, name=f"job-{job.kind}", daemon=True)
        self.job_thread.start()

    def _fresh_control(self) -> JobControl:
        self.control = JobControl()
        return self.control

    def _cmd_train(self, command_id, fields) -> None:
        self._require_idle("train")
        run_dir = os.path.abspath(fields["runDir"])
        if os.path.exists(os.path.join(run_dir, RUN_SPEC_FILE)):
            raise ProtocolError("BAD_REQUEST", f"train: {run_dir} already holds a run; use resume with runDir")
        if not os.path.isdir(fields["datasetDir"]):
            raise ProtocolError("BAD_REQUEST", f"train: dataset folder not found: {fields['datasetDir']}")
        if fields["initCheckpoint"] and not os.path.isfile(fields["initCheckpoint"]):
            raise ProtocolError("BAD_REQUEST", f"train: initCheckpoint not found: {fields['initCheckpoint']}")
        if fields["device"] == "cuda" or fields["mixedPrecision"] == "fp16":
            import torch

            if not torch.cuda.is_available():
                what = "device \"cuda\"" if fields["device"] == "cuda" else "mixedPrecision \"fp16\""
                raise ProtocolError("BAD_REQUEST", f"train: {what} needs a CUDA GPU and none is available "
                                                   f"(use device \"cpu\" and mixedPrecision \"bf16\" or \"no\")")
        if fields["tokenizerDir"] and not os.path.isfile(os.path.join(fields["tokenizerDir"], "vocab.json")):
            raise ProtocolError("BAD_REQUEST", f"train: no vocab.json in tokenizerDir {fields['tokenizerDir']}")
        fields["runDir"] = run_dir
        fields["datasetDir"] = os.path.abspath(fields["datasetDir"])
        for key in ("initCheckpoint", "tokenizerDir"):
            if fields[key]:
                fields[key] = os.path.abspath(fields[key])
        self._start(command_id, "train", TrainJob(command_id, "train", self.writer, self._fresh_control(), fields,
                                                  resuming=False))

    def _cmd_resume(self, command_id, fields) -> None:
        if fields["runDir"] is None:
            if fields["steps"] is not None:
                raise ProtocolError("BAD_REQUEST", "resume: steps needs runDir")
            job = self._active_job()
            if not isinstance(job, TrainJob) or not self.control.request_resume(command_id):
                raise ProtocolError("NOT_PAUSED", "resume: no paused run in this worker")
            self.writer.emit("ack", id=command_id, cmd="resume")
            return
        self._require_idle("resume")
        run_dir = os.path.abspath(fields["runDir"])
        spec_path = os.path.join(run_dir, RUN_SPEC_FILE)
        try:
            with open(spec_path, encoding="utf-8") as handle:
                spec = validate_fields("train", json.load(handle))
        except FileNotFoundError:
            raise ProtocolError("BAD_REQUEST", f"resume: {run_dir} holds no run ({RUN_SPEC_FILE} missing)") from None
        except (json.JSONDecodeError, ProtocolError) as err:
            raise ProtocolError("CHECKPOINT_INVALID", f"resume: {spec_path} is damaged: {err}") from None
        if not os.path.isfile(os.path.join(run_dir, CHECKPOINT_FILE)):
            raise ProtocolError("CHECKPOINT_INVALID", f"resume: {run_dir} has no {CHECKPOINT_FILE} to resume from")
        if fields["steps"] is not None:
            spec["steps"] = fields["steps"]
        spec["runDir"] = run_dir
        self._start(command_id, "resume",
                    TrainJob(command_id, "resume", self.writer, self._fresh_control(), spec, resuming=True))

    def _cmd_pause(self, command_id, fields) -> None:
        if not isinstance(self._active_job(), TrainJob) or self.control.stopping:
            raise ProtocolError("NOT_RUNNING", "pause: no training run is active")
        self.writer.emit("ack", id=command_id, cmd="pause")
        self.control.request_pause()

    def _cmd_cancel(self, command_id, fields) -> None:
        if self._active_job() is None:
            raise ProtocolError("NOT_RUNNING", "cancel: nothing is running")
        self.writer.emit("ack", id=command_id, cmd="cancel")
        self.control.request_cancel()

    def _cmd_sample(self, command_id, fields) -> None:
        for key in ("referenceImage", "audioPath"):
            if not os.path.isfile(fields[key]):
                raise ProtocolError("BAD_REQUEST", f"sample: {key} not found: {fields[key]}")
        job = self._active_job()
        if isinstance(job, TrainJob) and not self.control.stopping:
            self.writer.emit("ack", id=command_id, cmd="sample")
            self.control.request_sample(command_id, fields)
            return
        self._require_idle("sample")
        if not fields["checkpoint"] or not os.path.isfile(fields["checkpoint"]):
            raise ProtocolError("BAD_REQUEST", "sample: an existing checkpoint file is required when no run is active")
        self._start(command_id, "sample", SampleJob(command_id, self.writer, self._fresh_control(), fields))

    def _cmd_export(self, command_id, fields) -> None:
        self._require_idle("export")
        if not os.path.isfile(fields["checkpoint"]):
            raise ProtocolError("BAD_REQUEST", f"export: checkpoint not found: {fields['checkpoint']}")
        out_dir = fields["outDir"]
        if os.path.exists(out_dir) and (not os.path.isdir(out_dir) or os.listdir(out_dir)):
            raise ProtocolError("BAD_REQUEST", f"export: {out_dir} exists and is not an empty folder")
        self._start(command_id, "export", ExportJob(command_id, self.writer, self._fresh_control(), fields))

    def _cmd_shutdown(self, command_id, fields) -> None:
        self.writer.emit("ack", id=command_id, cmd="shutdown")
        self.shutdown.set()


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m musedance_models.worker",
                                     description="MuseDance training worker (JSON lines on stdio, PROTOCOL.md)")
    parser.add_argument("--heartbeat-sec", type=float, default=2.0, help="seconds between heartbeat events")
    args = parser.parse_args(argv)
    if not args.heartbeat_sec > 0:
        parser.error("--heartbeat-sec must be > 0")
    # stdout carries only protocol lines: anything a library prints goes to stderr instead.
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    server = WorkerServer(sys.stdin, protocol_out, args.heartbeat_sec)
    signal.signal(signal.SIGTERM, server.request_shutdown)
    try:
        return server.serve()
    except Exception as exc:  # a worker bug: say so on the protocol, then exit 1
        import traceback

        traceback.print_exc()
        server.writer.error("INTERNAL", f"worker failure: {type(exc).__name__}: {exc}", fatal=True)
        return 1
