"""Build a model pack from pretrained weights on disk (issue 20): import -> build the sd15 network -> export the six
ONNX graphs, the fp16 weights, the tokenizer and a manifest (PACK.md). The studio runs it (`musedance pack build`,
the Training panel) and shows its JSON-lines progress; a cancelled build (SIGTERM/SIGINT) leaves nothing at --out.

    /usr/bin/python3 -m musedance_models.pack_build --sd15 DIR [--ast DIR] [--animate-anyone DIR]
        [--motion-module FILE] [--height 256] [--width 256] [--frames 4] --out PACK_DIR [--name NAME]
        [--reference-guide on|off] [--temporal-window N|none] [--beat-window N|none] [--golden] [--threads N]
        [--estimate-only]

stdout carries only JSON lines (one object each, flushed), in the worker protocol's style (PROTOCOL.md):
  {"type":"sources", "sd15":{path, found:[...]}, ...}          what was found in each folder
  {"type":"estimate", height, width, frames, motionFrames, parameters, packBytes, inference:{weightsBytes,
   activationBytes, peakBytes, unetFlops, ...}, summary}        before anything heavy is read
  {"type":"progress", stage: import|build|export|write, component, fraction 0..1, message}
  {"type":"report", components:{<c>:{loaded, fresh:[..], ignored:{key: reason}, notes, sources}}, unusedFiles}
  {"type":"done", packDir, manifestPath, bytes, seconds, peakRssBytes}
  {"type":"error", code: SOURCE_MISSING|SHAPE_MISMATCH|WEIGHTS_IMPORT|EXPORT_FAILED|OUT_OF_MEMORY|CANCELLED, message}
Exit 0 after `done`, 1 after `error` (130 when cancelled). Logs go to stderr.

Memory: one component at a time is imported (fp32), built, run once for the next graph's example inputs,
exported (torch writes > 2 GB graphs as external data; export.save_graph gathers it into `<graph>.onnx.data`
without loading it) and freed; only its fp16 copy for weights.fp16.pt stays."""
import argparse
import gc
import glob
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import time

import torch

from .config import MuseDanceConfig, sd15
from .export import FAST_GRAPHS, OPSET, _export, _tensor_spec, build_manifest, sha256_file
from .scale.inference_estimate import estimate_inference
from .weights_import.importer import (COMPONENTS, Sources, build_component, check_tokenizer, import_one, read_config,
                                      target_shapes)
from .weights_import.tensor_sources import WeightsImportError

# share of the build's time each component takes (UNet and ReferenceNet dominate)
WORK = {"text_encoder": 0.05, "audio_encoder": 0.05, "vae": 0.1, "reference_net": 0.3, "unet": 0.5}


class Cancelled(Exception):
    pass


class Events:
    def __init__(self, stream=sys.stdout):
        self.stream = stream

    def emit(self, kind, **fields):
        self.stream.write(json.dumps({"type": kind, **fields}, default=_plain) + "\n")
        self.stream.flush()


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(type(value).__name__)


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024   # Linux: kilobytes


def _window(value):
    return None if value in (None, "none", "off") else int(value)


def configure(sources: Sources, height: int, width: int, frames: int, reference_guide=None, temporal_window="default",
              beat_window="default") -> MuseDanceConfig:
    cfg = read_config(sources, sd15())
    vae_down = cfg.vae.downsample
    if height % (vae_down * 2 ** (len(cfg.unet.block_out_channels) - 1)) or width % (vae_down * 8):
        raise WeightsImportError(f"--height/--width must be multiples of {vae_down * 8} for this UNet")
    cfg.height, cfg.width, cfg.frames_per_segment = height, width, frames
    if cfg.unet.max_frames < frames + cfg.motion_frames:
        cfg.unet.max_frames = frames + cfg.motion_frames
    if reference_guide is not None:
        cfg.unet.reference_guide = reference_guide
    if temporal_window != "default":
        cfg.unet.temporal_window = _window(temporal_window)
    if beat_window != "default":
        cfg.unet.beat_window = _window(beat_window)
    return cfg


def found_in(sources: Sources) -> dict:
    def listing(path):
        if path is None:
            return None
        if os.path.isfile(path):
            return {"path": os.path.abspath(path), "found": [os.path.basename(path)], "bytes": os.path.getsize(path)}
        names = sorted(os.path.relpath(p, path) for p in glob.glob(os.path.join(path, "**", "*"), recursive=True)
                       if os.path.isfile(p))
        return {"path": os.path.abspath(path), "found": names,
                "bytes": sum(os.path.getsize(os.path.join(path, n)) for n in names)}
    return {"sd15": listing(sources.sd15), "ast": listing(sources.ast), "animateAnyone": listing(sources.animate_anyone),
            "motionModule": listing(sources.motion_module)}


def estimate_fields(cfg: MuseDanceConfig) -> dict:
    inference = estimate_inference(cfg)
    graph_bytes = 4 * inference.parameters
    weights_bytes = 2 * sum(sum(_numel(s) for s in shapes.values()) for shapes in target_shapes(cfg).values())
    return {"height": cfg.height, "width": cfg.width, "frames": cfg.frames_per_segment,
            "motionFrames": cfg.motion_frames, "parameters": inference.parameters,
            "packBytes": graph_bytes + weights_bytes, "inference": inference.as_json(),
            "summary": f"pack ~{(graph_bytes + weights_bytes) / 1024 ** 3:.1f} GiB on disk; {inference.summary()}"}


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


class PackBuilder:
    """The build, one component at a time. `check()` raises Cancelled when a stop was asked for."""

    def __init__(self, sources: Sources, cfg: MuseDanceConfig, out_dir: str, name: str, events: Events,
                 check=lambda: None, log=lambda m: print(m, file=sys.stderr, flush=True), golden: bool = False,
                 shape_inference: bool = False):
        self.sources, self.cfg, self.out_dir, self.name = sources, cfg, os.path.abspath(out_dir), name
        self.events, self.check, self.log = events, check, log
        # golden: every graph's example inputs and PyTorch outputs (PACK.md "Golden vectors", without the sampling
        # run), so check_pack.ts compares ONNX Runtime with PyTorch; costs one extra UNet forward
        self.golden = {} if golden else None
        self.shape_inference = shape_inference
        self.done_fraction = 0.0

    def progress(self, stage, component, message, step=0.0):
        self.events.emit("progress", stage=stage, component=component, message=message,
                         fraction=round(min(1.0, self.done_fraction + step), 4))

    def build(self) -> dict:
        from .export import example_inputs
        from .models.vae import VaeDecoderGraph, VaeEncoderGraph
        from .pipeline import ReferenceNetGraph, UNetGraph, cfg_rows
        from .tokenizer import ClipTokenizer

        cfg = self.cfg
        tok_dir = check_tokenizer(self.sources, cfg)
        if tok_dir is None:
            raise WeightsImportError(f"{self.sources.sd15}/tokenizer: no vocab.json + merges.txt (a pack needs SD1.5's "
                                     "CLIP tokenizer)")
        tokenizer = ClipTokenizer.from_dir(tok_dir)
        parent = os.path.dirname(self.out_dir)
        os.makedirs(parent, exist_ok=True)
        for stale in glob.glob(self.out_dir + ".partial-*"):   # left by a build that was killed
            shutil.rmtree(stale, ignore_errors=True)
        tmp = tempfile.mkdtemp(prefix=os.path.basename(self.out_dir) + ".partial-", dir=parent)
        os.chmod(tmp, 0o755)
        try:
            ex = example_inputs(_CfgHolder(cfg), tokenizer)
            torch.manual_seed(0)   # fresh layers: the same pack for the same sources
            graphs, weights, reports, values = {}, {}, {}, {}
            for component in COMPONENTS:
                self.check()
                share = WORK[component]
                self.progress("import", component, f"reading {component}")
                state, reports[component] = import_one(component, self.sources, cfg, torch.float32)
                self.check()
                self.progress("build", component, f"building {component}", 0.2 * share)
                module = build_component(component, cfg)
                missing, unexpected = module.load_state_dict(state, strict=False)
                del state
                fresh = set(reports[component].fresh)
                if unexpected or set(missing) - fresh:
                    raise WeightsImportError(f"{component}: import and model disagree on {sorted(set(missing) - fresh)[:3]}"
                                             f"{unexpected[:3]}")
                module.eval()
                weights[component] = {k: (v.half() if v.is_floating_point() else v).clone()
                                      for k, v in module.state_dict().items()}
                self.check()
                self.progress("export", component, f"exporting {component}", 0.4 * share)
                for gname, spec in self._plan(component, module, ex, values, tokenizer,
                                              (VaeEncoderGraph, VaeDecoderGraph, ReferenceNetGraph, UNetGraph, cfg_rows)):
                    self.check()
                    graphs[gname] = self._export_graph(gname, tmp, *spec)
                del module
                gc.collect()
                self.done_fraction += share
                self.progress("export", component, f"{component} done (peak RSS {peak_rss_bytes() / 1024 ** 3:.1f} GiB)")
            self.check()
            self.progress("write", None, "writing weights, tokenizer and manifest")
            manifest_path = self._write(tmp, tok_dir, tokenizer, graphs, weights, reports)
            if os.path.exists(self.out_dir):
                shutil.rmtree(self.out_dir)
            os.replace(tmp, self.out_dir)
        finally:
            if os.path.exists(tmp):
                shutil.rmtree(tmp, ignore_errors=True)
        return {"manifestPath": os.path.join(self.out_dir, os.path.basename(manifest_path)), "reports": reports}

    def _plan(self, component, module, ex, values, tokenizer, helpers):
        """(graph name, (wrapper, args, input names, output names, outputs)) for the graphs of one component;
        runs the component once where a later graph needs its output as an example input."""
        VaeEncoderGraph, VaeDecoderGraph, ReferenceNetGraph, UNetGraph, cfg_rows = helpers
        cfg = self.cfg
        with torch.no_grad():
            if component == "text_encoder":
                values["text_cond"], values["text_uncond"] = module(ex["ids"]), module(ex["empty_ids"])
                return [("text_encoder", (module, (ex["ids"],), ["input_ids"], ["text_embeds"], [values["text_cond"]]))]
            if component == "audio_encoder":
                values["music"] = module(ex["fbank"])
                return [("audio_encoder", (module, (ex["fbank"],), ["fbank"], ["music_tokens"], [values["music"]]))]
            if component == "vae":
                values["ref_lat"] = ref = module.encode_scaled(ex["image"])
                image = module.decode_scaled(ref)
                return [("vae_encoder", (VaeEncoderGraph(module), (ex["image"],), ["image"], ["latents"], [ref])),
                        ("vae_decoder", (VaeDecoderGraph(module), (ref,), ["latents"], ["image"], [image]))]
            if component == "reference_net":
                values["feats"] = feats = module(values["ref_lat"], values["text_cond"])
                names = [f"ref_feat_{i}" for i in range(len(feats))]
                return [("reference_net", (ReferenceNetGraph(module), (values["ref_lat"], values["text_cond"]),
                                           ["ref_latents", "text_embeds"], names, feats))]
        feats = values["feats"]
        motion = values["ref_lat"][:, None].repeat(1, cfg.motion_frames, 1, 1, 1)
        text2, mus2, beats2, mot2 = cfg_rows(values["text_cond"], values["text_uncond"], values["music"], ex["beats"],
                                             motion)
        latents = ex["unet_latents"]
        if self.golden is not None:
            with torch.no_grad():
                noise_pred = module(latents, ex["timestep"], text2, feats, mus2, beats2, mot2)
        else:
            noise_pred = torch.empty(latents.shape)   # shape only: the export traces the one UNet run
        names = [f"ref_feat_{i}" for i in range(len(feats))]
        return [("unet", (UNetGraph(module, len(feats)), (latents, ex["timestep"], text2, mus2, beats2, mot2, *feats),
                          ["latents", "timestep", "text_embeds", "music_tokens", "beat_onehot", "motion_latents"] + names,
                          ["noise_pred"], [noise_pred]))]

    def _export_graph(self, gname, tmp, module, args, in_names, out_names, outs):
        started = time.time()
        path = os.path.join(tmp, f"{gname}.onnx")
        # torch's per-node ONNX shape inference is what makes the two big graphs' export take minutes (export.onnx_export);
        # the small graphs need it (without it the VAE's padding exports as an invalid ConcatFromSequence)
        fast = gname in FAST_GRAPHS and not self.shape_inference
        ext = _export(module, args, path, in_names, out_names, shape_inference=not fast)
        spec = {"file": f"{gname}.onnx", "sha256": sha256_file(path), "opset": OPSET,
                "inputs": [_tensor_spec(n, a) for n, a in zip(in_names, args)],
                "outputs": [_tensor_spec(n, o) for n, o in zip(out_names, outs)]}
        if ext:
            spec["externalData"] = ext
        if self.golden is not None:
            for n, t in list(zip(in_names, args)) + list(zip(out_names, outs)):
                self.golden[f"{gname}.{n}"] = t.detach().clone()
        self.log(f"exported {gname} in {time.time() - started:.1f} s{' (external data)' if ext else ''}")
        return spec

    def _write(self, tmp, tok_dir, tokenizer, graphs, weights, reports):
        from .weights_import.importer import WEIGHTS_FORMAT, WEIGHTS_VERSION

        os.makedirs(os.path.join(tmp, "tokenizer"))
        for f in ("vocab.json", "merges.txt"):
            shutil.copyfile(os.path.join(tok_dir, f), os.path.join(tmp, "tokenizer", f))
        report = {"sources": {k: v for k, v in found_in(self.sources).items() if v},
                  "unusedFiles": self.sources.unused_files(),
                  "components": {k: r.to_json() for k, r in reports.items()},
                  "crossAttentionNote": CROSS_ATTENTION_NOTE if self.sources.animate_anyone else None}
        with open(os.path.join(tmp, "import_report.json"), "w") as f:
            json.dump(report, f, indent=1)
        golden = None
        if self.golden is not None:
            from .export import GOLDEN_PROMPTS, write_bin
            gdir = os.path.join(tmp, "golden")
            os.makedirs(gdir)
            index = {"version": 1, "tensors": {}, "tokenizer": [{"text": p, "ids": tokenizer.encode(p)} for p in GOLDEN_PROMPTS],
                     "sampling": {}, "tolerances": {"default": {"maxAbs": 1e-3}}}
            for n, t in self.golden.items():
                write_bin(gdir, index, n, t)
            with open(os.path.join(gdir, "index.json"), "w") as f:
                json.dump(index, f, indent=1)
            golden = {"index": "golden/index.json"}
        payload = {"format": WEIGHTS_FORMAT, "version": WEIGHTS_VERSION, "config": self.cfg.to_dict(),
                   "state_dicts": weights, "source": "pack_build",
                   "fresh": {k: r.fresh for k, r in reports.items()}}
        torch.save(payload, os.path.join(tmp, "weights.fp16.pt"))
        weights.clear()
        files = {}
        for root, _, fs in os.walk(tmp):
            for f in fs:
                p = os.path.join(root, f)
                files[os.path.relpath(p, tmp).replace(os.sep, "/")] = {"sha256": sha256_file(p),
                                                                       "bytes": os.path.getsize(p)}
        inference = estimate_inference(self.cfg).as_json()
        memory = {k: inference[k] for k in ("height", "width", "frames", "weightsBytes", "activationBytes",
                                            "peakBytes", "unetFlops", "method")}
        summary = {k: {"loaded": r.loaded, "fresh": len(r.fresh), "ignored": len(r.ignored), "sources": r.sources}
                   for k, r in reports.items()}
        extra = {"memory": memory, "importReport": {"file": "import_report.json", "components": summary,
                                                     "unusedFiles": report["unusedFiles"]}}
        ck = {"stage": None, "step": 0, "spec": {"source": "pack_build"}}
        manifest = build_manifest(self.name, self.cfg, graphs, tokenizer, files, ck, golden, extra)
        manifest["description"] = ("MuseDance pack built from pretrained weights by native-models pack_build "
                                   "(see import_report.json for what was loaded, ignored and freshly initialised)")
        path = os.path.join(tmp, "manifest.json")
        with open(path, "w") as f:
            json.dump(manifest, f, indent=1)
        self.events.emit("report", components={k: r.to_json() for k, r in reports.items()},
                         unusedFiles=report["unusedFiles"])
        return path


CROSS_ATTENTION_NOTE = (
    "Moore-AnimateAnyone's UNets cross-attend to one CLIP image embedding (768 wide), not to 77 CLIP text-token "
    "states: the weights load, but a prompt reaches attn2 as inputs it never saw, so it has little and "
    "unpredictable effect until stage 1 is fine-tuned on captions (or with LoRA).")


class _CfgHolder:
    def __init__(self, cfg):
        self.cfg = cfg


def classify(err: BaseException):
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    if isinstance(err, Cancelled):
        return "CANCELLED", "the build was cancelled; nothing was written"
    if isinstance(err, MemoryError) or "out of memory" in text.lower() or "can't allocate memory" in text.lower():
        return "OUT_OF_MEMORY", f"out of memory ({text[:300]}); close other programs or build a smaller size"
    if isinstance(err, WeightsImportError):
        if "has shape" in text or "expects" in text:
            return "SHAPE_MISMATCH", text
        if "not found" in text or "no " in text[:60] and " weights in " in text:
            return "SOURCE_MISSING", text
        return "WEIGHTS_IMPORT", text
    return "EXPORT_FAILED", f"{type(err).__name__}: {text[:500]}"


def _cancel_on_stdin_eof():
    """The studio runs the build in its own process group and keeps our stdin open without writing: EOF means the
    studio is gone (however it died), so cancel as on SIGTERM instead of building on as an orphan."""
    import threading

    def watch():   # os.read on the fd: a daemon thread inside sys.stdin's buffered reader aborts at interpreter exit
        while os.read(0, 65536):
            pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stdin-eof", daemon=True).start()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m musedance_models.pack_build", description=__doc__.split("\n")[0])
    ap.add_argument("--sd15", required=True, help="diffusers-format Stable Diffusion 1.5 folder")
    ap.add_argument("--ast", help="transformers-format AST folder (else the music encoder starts fresh)")
    ap.add_argument("--animate-anyone", help="folder with reference_unet.pth, denoising_unet.pth, motion_module.pth")
    ap.add_argument("--motion-module", help="AnimateDiff motion module (mm_sd_v15*.ckpt | .safetensors)")
    ap.add_argument("--height", type=int, default=256)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--frames", type=int, default=4, help="K, frames per segment")
    ap.add_argument("--out", help="pack folder to write (created; replaced if it exists)")
    ap.add_argument("--name", help="pack name (default: the folder's name)")
    ap.add_argument("--reference-guide", choices=("on", "off"))
    ap.add_argument("--temporal-window", default="default", help="N or none (default: the sd15 config's)")
    ap.add_argument("--beat-window", default="default", help="N or none (default: the sd15 config's)")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--golden", action="store_true", help="also write golden vectors (one more UNet forward)")
    ap.add_argument("--estimate-only", action="store_true", help="print the estimate and stop (reads headers only)")
    ap.add_argument("--exit-on-stdin-eof", action="store_true",
                    help="cancel when stdin closes (the studio keeps it open: a dead studio leaves no orphan build)")
    a = ap.parse_args(argv)
    events = Events()
    stop = {"asked": False}

    def on_signal(signum, _frame):
        stop["asked"] = True
        raise Cancelled()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if a.exit_on_stdin_eof:
        _cancel_on_stdin_eof()
    if a.threads:
        torch.set_num_threads(a.threads)
    started = time.time()
    try:
        if not a.estimate_only and not a.out:
            raise WeightsImportError("--out is required (or --estimate-only)")
        if a.height <= 0 or a.width <= 0 or a.frames <= 0:
            raise WeightsImportError("--height, --width and --frames must be positive")
        sources = Sources(a.sd15, a.ast, a.animate_anyone, a.motion_module)
        sources.check()
        events.emit("sources", **found_in(sources))
        cfg = configure(sources, a.height, a.width, a.frames,
                        None if a.reference_guide is None else a.reference_guide == "on",
                        a.temporal_window, a.beat_window)
        events.emit("estimate", **estimate_fields(cfg))
        if a.estimate_only:
            events.emit("done", packDir=None, manifestPath=None, bytes=0, seconds=round(time.time() - started, 2),
                        peakRssBytes=peak_rss_bytes())
            return 0
        name = a.name or os.path.basename(os.path.abspath(a.out).rstrip(os.sep))
        result = PackBuilder(sources, cfg, a.out, name, events, golden=a.golden).build()
        manifest = json.load(open(result["manifestPath"]))
        events.emit("done", packDir=os.path.abspath(a.out), manifestPath=result["manifestPath"],
                    bytes=manifest["sizes"]["totalBytes"], seconds=round(time.time() - started, 2),
                    peakRssBytes=peak_rss_bytes())
        return 0
    except BaseException as err:   # noqa: B902 - every failure becomes one error line
        if isinstance(err, SystemExit):
            raise
        code, message = classify(err)
        if code == "EXPORT_FAILED":
            import traceback
            traceback.print_exc(file=sys.stderr)
        events.emit("error", code=code, message=message)
        return 130 if code == "CANCELLED" else 1


if __name__ == "__main__":
    sys.exit(main())
