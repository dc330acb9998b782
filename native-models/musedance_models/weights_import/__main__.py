"""CLI: import SD1.5 (diffusers folder) and optionally AST / Moore-AnimateAnyone / an AnimateDiff motion module into
a MuseDance weights file (PACK.md format). `python -m musedance_models.pack_build` builds a whole pack instead."""
import argparse
import json
import sys

import torch

from .importer import import_sd15, weights_payload
from .tensor_sources import WeightsImportError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m musedance_models.weights_import", description=__doc__)
    parser.add_argument("--sd15", required=True, help="diffusers-format Stable Diffusion 1.5 folder")
    parser.add_argument("--ast", help="transformers-format AST folder (e.g. MIT/ast-finetuned-audioset-10-10-0.4593)")
    parser.add_argument("--animate-anyone", help="folder with Moore-AnimateAnyone's reference_unet.pth, "
                                                 "denoising_unet.pth, motion_module.pth")
    parser.add_argument("--motion-module", help="AnimateDiff motion module (mm_sd_v15*.ckpt | .safetensors)")
    parser.add_argument("--out", required=True, help="weights file to write (torch.save, PACK.md format)")
    parser.add_argument("--dtype", choices=("fp16", "fp32"), default="fp16")
    args = parser.parse_args(argv)
    try:
        result = import_sd15(args.sd15, args.ast, dtype=torch.float16 if args.dtype == "fp16" else torch.float32,
                             animate_anyone_dir=args.animate_anyone, motion_module=args.motion_module)
    except WeightsImportError as err:
        print(json.dumps({"ok": False, "error": {"code": "WEIGHTS_IMPORT", "message": str(err)}}))
        return 1
    torch.save(weights_payload(result), args.out)
    print(json.dumps({"ok": True, "out": args.out, "tokenizerDir": result.tokenizer_dir,
                      "components": {k: {"loaded": r.loaded, "fresh": len(r.fresh), "ignored": len(r.ignored)}
                                     for k, r in result.reports.items()}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
