"""Distributed training entry point: the same `musedance_models.train.run` as the studio's worker, under torchrun.

    torchrun --nproc_per_node=2 -m musedance_models.scale.launch --spec run.json
    (torch builds without the `torchrun` script: python -m torch.distributed.run --nproc_per_node=2 -m ...)

`--spec` is a JSON file with the worker's `train` fields (PROTOCOL.md: runDir, datasetDir, config, stage, steps,
batchSize = the GLOBAL batch, learningRate, seed, mixedPrecision, gradientCheckpointing, lora, ...). Backend:
NCCL when the device is CUDA, gloo on CPU. Each process uses the GPU `LOCAL_RANK`. Rank 0 prints the protocol's
`estimate`/`loss`/`progress`/`checkpoint`/`done` events as JSON lines on stdout and alone writes
`runDir/checkpoint.pt`; running the same command again resumes from it (all ranks read it: on several machines
runDir must be on a shared filesystem). SIGTERM on any rank stops every rank at the same step with a checkpoint.
"""
import argparse
import json
import os
import signal
import sys
from datetime import timedelta

INIT_TIMEOUT = timedelta(minutes=10)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="torchrun ... -m musedance_models.scale.launch", description=__doc__)
    parser.add_argument("--spec", required=True, help="JSON file with the worker's train fields")
    args = parser.parse_args(argv)

    import torch
    import torch.distributed as dist

    from ..worker.protocol import ProtocolError, validate_fields
    from ..worker.session import train_spec

    try:
        with open(args.spec, encoding="utf-8") as handle:
            raw = json.load(handle)
        spec = validate_fields("train", raw)
    except (OSError, ValueError, ProtocolError) as err:
        print(json.dumps({"type": "error", "code": "BAD_REQUEST", "message": f"{args.spec}: {err}", "fatal": True}))
        return 2
    device = spec["device"]
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    spec["device"] = device
    if "RANK" in os.environ and not dist.is_initialized():
        if device == "cuda":
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
        dist.init_process_group(backend="nccl" if device == "cuda" else "gloo", timeout=INIT_TIMEOUT)
    rank = dist.get_rank() if dist.is_initialized() else 0

    stop = {"requested": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(requested=True))

    def emit(event):
        if rank == 0:
            kind = event.pop("event")
            print(json.dumps({"type": kind, **event}), flush=True)

    from ..data.loader import DatasetError
    from ..train import TrainError, Trainer
    from .memory_estimate import estimate_for_trainer

    os.makedirs(spec["runDir"], exist_ok=True)
    if rank == 0:
        with open(os.path.join(spec["runDir"], "run.json"), "w", encoding="utf-8") as handle:
            json.dump(spec, handle, indent=1)
    estimate = None
    try:
        trainer = Trainer(train_spec(spec))
        if rank == 0:
            estimate = estimate_for_trainer(trainer, spec)
            emit({"event": "estimate", **estimate.as_event_fields(None)})
            print(estimate.summary(), file=sys.stderr, flush=True)
        result = trainer.run(emit, should_stop=lambda: stop["requested"])
    except (DatasetError, TrainError, ValueError) as err:
        print(json.dumps({"type": "error", "code": "BAD_REQUEST", "message": str(err), "fatal": True}), flush=True)
        return 1
    except (RuntimeError, MemoryError) as err:
        from ..worker.errors import is_out_of_memory
        from .memory_estimate import out_of_memory_advice

        if not is_out_of_memory(err):
            raise
        memory = torch.cuda.get_device_properties(torch.cuda.current_device()).total_memory if device == "cuda" else None
        message = out_of_memory_advice(estimate, memory)
        print(json.dumps({"type": "error", "code": "OUT_OF_MEMORY", "message": message, "fatal": True}), flush=True)
        return 1
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
    return 0 if result else 1


if __name__ == "__main__":
    sys.exit(main())
