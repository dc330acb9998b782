"""Turn exceptions raised inside a job into a PROTOCOL.md error code and a sentence for a user."""
from typing import Tuple

OOM_ADVICE = ("lower batchSize, the resolution or K (frames per segment), or turn on mixedPrecision "
              "(\"bf16\"/\"fp16\"), gradientCheckpointing or lora")


class CheckpointError(ValueError):
    """A checkpoint / weights file is unreadable or does not fit the run's config."""


def is_out_of_memory(exc: BaseException) -> bool:
    name = type(exc).__name__
    text = str(exc).lower()
    return (name in ("OutOfMemoryError", "MemoryError") or "out of memory" in text
            or "cuda_error_out_of_memory" in text or "can't allocate memory" in text)  # CPU: DefaultCPUAllocator


def classify(exc: BaseException) -> Tuple[str, str]:
    name = type(exc).__name__
    if is_out_of_memory(exc):
        return "OUT_OF_MEMORY", f"the device ran out of memory ({_first_line(exc)}); {OOM_ADVICE}"
    if name == "DatasetError":
        return "DATASET_INVALID", _first_line(exc)
    if name in ("TrainError", "SampleInputError", "MixedPrecisionError", "ExportError"):
        return "BAD_REQUEST", _first_line(exc)
    if name in ("CheckpointError", "WeightsImportError", "UnpicklingError"):
        return "CHECKPOINT_INVALID", _first_line(exc)
    if name == "ProtocolError":
        return exc.code, exc.message  # type: ignore[attr-defined]
    return "JOB_FAILED", f"{name}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:500] if text else type(exc).__name__
