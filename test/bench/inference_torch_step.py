"""PyTorch reference for `inference.ort_vs_torch_step_ratio`: loads a pack's PyTorch weights (weights.fp16.pt,
cast to fp32) into native-models' UNet and times one denoising step (CFG batch of 2) on the pack's golden UNet
inputs, with the same thread count ONNX Runtime uses. Prints one JSON line {"ms": median, "runs": [...]}.
usage: /usr/bin/python3 test/bench/inference_torch_step.py <pack dir> [runs]
"""
import json
import os
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "native-models"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from musedance_models.config import MuseDanceConfig  # noqa: E402
from musedance_models.models.unet import UNet  # noqa: E402


def main():
    pack, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    # Same core count ONNX Runtime's default intra-op pool uses (the env may pin torch to 1 thread).
    torch.set_num_threads(int(os.environ.get("BENCH_TORCH_THREADS", os.cpu_count() or 1)))
    weights = torch.load(os.path.join(pack, "weights.fp16.pt"), map_location="cpu")
    cfg = MuseDanceConfig.from_dict(weights["config"])
    unet = UNet(cfg).eval()
    unet.load_state_dict({k: v.float() for k, v in weights["state_dicts"]["unet"].items()})
    index = json.load(open(os.path.join(pack, "golden", "index.json")))

    def tensor(name):
        spec = index["tensors"][name]
        arr = np.fromfile(os.path.join(pack, "golden", spec["file"]), dtype="<i8" if spec["dtype"] == "int64" else "<f4")
        return torch.from_numpy(arr.reshape(spec["shape"]).copy())

    n_refs = sum(1 for k in index["tensors"] if k.startswith("unet.ref_feat_"))
    args = [tensor(f"unet.{n}") for n in ("latents", "timestep", "text_embeds")]
    refs = [tensor(f"unet.ref_feat_{i}") for i in range(n_refs)]
    rest = [tensor(f"unet.{n}") for n in ("music_tokens", "beat_onehot", "motion_latents")]
    times = []
    with torch.no_grad():
        unet(*args, refs, *rest)  # warm-up
        for _ in range(runs):
            t0 = time.perf_counter()
            unet(*args, refs, *rest)
            times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"ms": float(np.median(times)), "runs": times, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
