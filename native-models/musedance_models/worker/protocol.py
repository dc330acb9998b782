"""Messages of PROTOCOL.md: the event writer (stdout, one JSON object per line) and command validation."""
import json
import math
import re
import threading
import time
from typing import Any, Callable, Dict, Optional, TextIO, Tuple

PROTOCOL_VERSION = 1
WORKER_VERSION = "1.0.0"
ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class ProtocolError(Exception):
    """A command rejected with a PROTOCOL.md error code; `message` is a sentence for a user."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class EventWriter:
    """Writes events to stdout; thread-safe; numbers events with `seq`."""

    def __init__(self, stream: TextIO):
        self._stream = stream
        self._lock = threading.Lock()
        self._seq = 0

    def emit(self, event_type: str, **fields: Any) -> None:
        with self._lock:
            message = {"type": event_type, "seq": self._seq, "timeMs": int(time.time() * 1000)}
            message.update(fields)
            line = json.dumps(message, allow_nan=False, default=_json_default)
            self._seq += 1
            try:
                self._stream.write(line + "\n")
                self._stream.flush()
            except (BrokenPipeError, ValueError):
                pass  # the supervisor is gone; nothing to tell

    def error(self, code: str, message: str, command_id: Optional[str] = None, fatal: bool = False) -> None:
        self.emit("error", id=command_id, code=code, message=message, fatal=fatal)


def _json_default(value: Any):
    if hasattr(value, "item"):  # numpy / torch scalars
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# ---- command validation -------------------------------------------------------------------------------------

Check = Callable[[Any], bool]
REQUIRED = object()


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _string(v):
    return isinstance(v, str) and 0 < len(v) <= 4096


def _int_at_least(low):
    return lambda v: _is_int(v) and v >= low


def _one_of(*options):
    return lambda v: v in options


def _positive(v):
    return _is_number(v) and v > 0


def _non_negative(v):
    return _is_number(v) and v >= 0


def _optional(check):
    return lambda v: v is None or check(v)


def _config(v):
    return v in ("tiny", "sd15") or isinstance(v, dict)


def _lora(v):
    return v is None or (isinstance(v, dict) and set(v) <= {"rank", "alpha"} and _is_int(v.get("rank"))
                         and v["rank"] >= 1 and _positive(v.get("alpha", 1.0)))


def _beats(v):
    return isinstance(v, list) and len(v) <= 10_000 and all(_non_negative(x) for x in v)


def _prompt(v):
    return isinstance(v, str) and len(v) <= 2000


TRAIN_FIELDS: Dict[str, Tuple[Check, Any, str]] = {
    "runDir": (_string, REQUIRED, "a folder path"),
    "datasetDir": (_string, REQUIRED, "a folder path"),
    "config": (_config, "tiny", '"tiny", "sd15" or a config object'),
    "stage": (_one_of(1, 2, "vae"), 1, '1, 2 or "vae"'),
    "steps": (_int_at_least(1), REQUIRED, "an integer >= 1"),
    "batchSize": (_int_at_least(1), 1, "an integer >= 1"),
    "learningRate": (_positive, 1e-5, "a number > 0"),
    "seed": (_int_at_least(0), 0, "an integer >= 0"),
    "checkpointEverySteps": (_int_at_least(0), 100, "an integer >= 0"),
    "checkpointEverySec": (_non_negative, 180.0, "a number >= 0"),
    "logEverySteps": (_int_at_least(1), 1, "an integer >= 1"),
    "sampleEverySteps": (_int_at_least(0), 0, "an integer >= 0"),
    "initCheckpoint": (_optional(_string), None, "a file path or null"),
    "tokenizerDir": (_optional(_string), None, "a folder path or null"),
    "trainFrames": (_optional(_int_at_least(1)), None, "null or an integer >= 1"),
    "threads": (_int_at_least(1), 2, "an integer >= 1"),
    "device": (_one_of("auto", "cpu", "cuda"), "auto", '"auto", "cpu" or "cuda"'),
    "mixedPrecision": (_one_of("no", "fp16", "bf16"), "no", '"no", "fp16" or "bf16"'),
    "gradientCheckpointing": (lambda v: isinstance(v, bool), False, "true or false"),
    "lora": (_lora, None, 'null or {"rank": int >= 1, "alpha": number > 0}'),
}

RESUME_FIELDS = {
    "runDir": (_optional(_string), None, "a folder path"),
    "steps": (_optional(_int_at_least(1)), None, "an integer >= 1"),
}

SAMPLE_FIELDS = {
    "outDir": (_string, REQUIRED, "a folder path"),
    "referenceImage": (_string, REQUIRED, "an image file path"),
    "audioPath": (_string, REQUIRED, "a WAV file path"),
    "prompt": (_prompt, "", "a string of at most 2000 characters"),
    "beatTimesSec": (_beats, [], "a list of non-negative numbers"),
    "audioStartSec": (_non_negative, 0.0, "a number >= 0"),
    "numInferenceSteps": (lambda v: _is_int(v) and 1 <= v <= 200, 20, "an integer from 1 to 200"),
    "guidanceScale": (_non_negative, 3.5, "a number >= 0"),
    "seed": (_int_at_least(0), 0, "an integer >= 0"),
    "checkpoint": (_optional(_string), None, "a checkpoint file path"),
}

EXPORT_FIELDS = {
    "checkpoint": (_string, REQUIRED, "a checkpoint file path"),
    "outDir": (_string, REQUIRED, "a folder path"),
    "name": (_optional(_string), None, "a string"),
    "precision": (_one_of("fp32", "fp16"), "fp32", '"fp32" or "fp16"'),
    "tokenizerDir": (_optional(_string), None, "a folder path or null"),
    "lora": (_one_of("merge", "separate"), "merge", '"merge" or "separate"'),
    "goldens": (lambda v: isinstance(v, bool), False, "true or false"),
}

CANCEL_FIELDS: Dict[str, Tuple[Check, Any, str]] = {}

COMMAND_FIELDS: Dict[str, Dict[str, Tuple[Check, Any, str]]] = {
    "train": TRAIN_FIELDS, "resume": RESUME_FIELDS, "pause": {}, "cancel": CANCEL_FIELDS,
    "sample": SAMPLE_FIELDS, "export": EXPORT_FIELDS, "shutdown": {},
}
COMMANDS = tuple(COMMAND_FIELDS)


def parse_command(line: str) -> Tuple[Optional[str], str, Dict[str, Any]]:
    """-> (id, cmd, fields with defaults filled). Raises ProtocolError; the id is attached when readable."""
    try:
        message = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as err:
        raise ProtocolError("BAD_JSON", f"command line is not valid JSON: {err}") from None
    if not isinstance(message, dict):
        raise ProtocolError("BAD_JSON", "command line must be a JSON object")
    command_id = message.pop("id", None)
    if command_id is not None and not (isinstance(command_id, str) and ID_PATTERN.match(command_id)):
        raise ProtocolError("BAD_REQUEST", "id must be 1-64 characters from A-Z a-z 0-9 _ . : -")
    cmd = message.pop("cmd", None)
    if cmd not in COMMAND_FIELDS:
        err = ProtocolError("BAD_COMMAND", f"unknown command {cmd!r}; expected one of {', '.join(COMMANDS)}")
        err.command_id = command_id
        raise err
    try:
        return command_id, cmd, validate_fields(cmd, message)
    except ProtocolError as err:
        err.command_id = command_id
        raise


def validate_fields(cmd: str, message: Dict[str, Any]) -> Dict[str, Any]:
    spec = COMMAND_FIELDS[cmd]
    unknown = sorted(set(message) - set(spec))
    if unknown:
        raise ProtocolError("BAD_REQUEST", f"{cmd}: unknown field(s) {', '.join(unknown)}")
    fields: Dict[str, Any] = {}
    for name, (check, default, expected) in spec.items():
        if name not in message:
            if default is REQUIRED:
                raise ProtocolError("BAD_REQUEST", f"{cmd}: missing required field {name}")
            fields[name] = default
            continue
        if not check(message[name]):
            raise ProtocolError("BAD_REQUEST", f"{cmd}: {name} must be {expected}")
        fields[name] = message[name]
    return fields
