"""ONNX export of a model pack (PACK.md): six static-shape graphs, tokenizer files, fp16 PyTorch weights,
golden vectors and a manifest valid against schemas/manifest.schema.json.

    /usr/bin/python3 -m musedance_models.export CHECKPOINT OUT_DIR [--name NAME] [--no-golden]

fp32 graphs only: an fp16 ONNX export needs fp16 kernels at trace time, which torch's CPU backend lacks here;
`precision` in the manifest exists so a GPU-side exporter can add it (asking for it raises ExportError)."""
import argparse
import datetime
import hashlib
import json
import os
import shutil
import tempfile

import numpy as np
import torch

from .audio_features import fbank_features, segment_audio
from .beats import beat_onehot
from .checkpoint_io import load_own
from .config import MuseDanceConfig
from .models.musedance import MuseDance
from .models.vae import VaeDecoderGraph, VaeEncoderGraph
from .pipeline import ReferenceNetGraph, UNetGraph, cfg_rows, decode_frames, ddim_for, sample_segment

OPSET = 14
EXTERNAL_DATA_BYTES = 1_500_000_000
# exported without torch's per-node ONNX shape inference (onnx_export): the golden vectors check them against PyTorch
FAST_GRAPHS = ("reference_net", "unet")
GOLDEN_PROMPTS = ["a dancer bounces on every beat", "a star spins on the downbeat", "a box robot sways side to side",
                  "", "A Tree, waving its arms: on every BEAT!!", "a little person grows and shrinks on every beat"]
GOLDEN_STEPS = 4
GUIDANCE = 3.5


class ExportError(ValueError):
    pass


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_checkpoint_model(path):
    ck = load_own(path)
    sds = ck["state_dicts"] if "state_dicts" in ck else ck["models"]
    cfg = MuseDanceConfig.from_dict(ck["config"])
    model = MuseDance(cfg)
    model.load_state_dicts(sds)
    model.eval()
    tokenizer_dir = ck.get("tokenizer_dir")
    beside = os.path.join(os.path.dirname(os.path.abspath(path)), "tokenizer")   # a pack's weights.fp16.pt
    if not tokenizer_dir and os.path.isfile(os.path.join(beside, "vocab.json")):
        tokenizer_dir = beside
    return model, tokenizer_dir, ck


def _tensor_spec(name, t):
    dt = {torch.float32: "float32", torch.float16: "float16", torch.int64: "int64"}[t.dtype]
    return {"name": name, "dtype": dt, "shape": [int(s) for s in t.shape]}


def example_inputs(model: MuseDance, tokenizer, seed=0):
    """Deterministic graph inputs (also the golden inputs)."""
    cfg = model.cfg
    g = torch.Generator().manual_seed(seed)
    K, M, C = cfg.frames_per_segment, cfg.motion_frames, cfg.vae.latent_channels
    h, w = cfg.latent_hw
    from .data.synthetic import make_song, make_subject, pose_track, render, synth_song, beat_times
    song = make_song(777)
    wave_full = synth_song(song, 8.0)
    wave = segment_audio(wave_full, 0.0, cfg.segment_samples)
    subject = make_subject(4242)
    pose = pose_track("bounce", beat_times(song, 8.0), np.zeros(1))
    img = render(subject, pose, 0, cfg.height)
    if img.shape[:2] != (cfg.height, cfg.width):
        from PIL import Image
        img = np.asarray(Image.fromarray(img).resize((cfg.width, cfg.height)))
    image = torch.from_numpy(img.astype(np.float32) / 127.5 - 1).permute(2, 0, 1)[None]
    ids = torch.tensor([tokenizer.encode(GOLDEN_PROMPTS[0])])
    empty = torch.tensor([tokenizer.encode("")])
    fbank = torch.from_numpy(fbank_features(wave, cfg.audio))[None]
    beats = torch.from_numpy(beat_onehot(beat_times(song, 8.0), 0.0, cfg.fps, K))
    noise = torch.randn(K, C, h, w, generator=g)
    return dict(wave=wave, image=image, ids=ids, empty_ids=empty, fbank=fbank, beats=beats, noise=noise,
                timestep=torch.tensor([501.0]), unet_latents=torch.randn(2, K, C, h, w, generator=g))


def onnx_export(module, args, path, input_names, output_names, shape_inference=True):
    """torch.onnx.export; `shape_inference=False` skips torch's per-node ONNX shape inference, which in torch 1.13
    costs O(nodes x graph inputs) and took most of a UNet export's minutes here (every parameter is a graph input
    while it runs). The traced graph carries every value's static shape anyway; pack_build's golden check
    (tests/test_published_imports.py) runs such graphs in ONNX Runtime against PyTorch."""
    import inspect

    private = getattr(torch.onnx.utils, "_export", None)
    if not shape_inference and private is not None and "onnx_shape_inference" in inspect.signature(private).parameters:
        private(module, args, path, opset_version=OPSET, input_names=input_names, output_names=output_names,
                do_constant_folding=True, onnx_shape_inference=False)
    else:
        torch.onnx.export(module, args, path, opset_version=OPSET, input_names=input_names,
                          output_names=output_names, do_constant_folding=True)


def _export(module, args, path, input_names, output_names, reuse_from=None, shape_inference=True):
    """Export one graph to `path`; returns the external-data file name (graphs over EXTERNAL_DATA_BYTES) or None.
    torch writes graphs over 2 GB as one file per tensor: it exports into a scratch folder, and save_graph
    gathers the tensors into the one `<graph>.onnx.data` PACK.md names, streaming (never the whole graph in memory)."""
    if reuse_from:   # graphs already exported from the same weights (e.g. regenerating golden vectors)
        shutil.copyfile(os.path.join(reuse_from, os.path.basename(path)), path)
        data = os.path.join(reuse_from, os.path.basename(path) + ".data")
        if os.path.exists(data):
            shutil.copyfile(data, path + ".data")
            return os.path.basename(data)
        return None
    module.eval()    # torch.onnx.export restores the wrapper's mode afterwards: a fresh wrapper is in train mode,
    scratch = tempfile.mkdtemp(prefix="onnx-", dir=os.path.dirname(os.path.abspath(path)))
    try:
        exported = os.path.join(scratch, os.path.basename(path))
        with torch.no_grad():   # which would switch the whole model to training (dropout on) for the golden run
            onnx_export(module, args, exported, input_names, output_names, shape_inference)
        return save_graph(exported, path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _all_tensors(graph):
    """Every tensor a graph stores: initializers and the values of Constant-like node attributes, subgraphs
    included. torch writes large Constant attributes as separate external files too, so moving only the
    initializers left those pointing into the deleted temporary export folder (a full-size UNet would not load)."""
    import onnx

    found = list(graph.initializer)
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.TENSOR:
                found.append(attr.t)
            elif attr.type == onnx.AttributeProto.TENSORS:
                found.extend(attr.tensors)
            elif attr.type == onnx.AttributeProto.GRAPH:
                found.extend(_all_tensors(attr.g))
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for g in attr.graphs:
                    found.extend(_all_tensors(g))
    return found


def save_graph(exported, path, threshold=EXTERNAL_DATA_BYTES):
    """Move an exported graph to `path`: inline if its tensors total at most `threshold` bytes, else every tensor
    of 1 KiB or more goes to `<path>.data` (one file, 64-byte aligned offsets). Returns the data file name or None."""
    import onnx
    from onnx.external_data_helper import uses_external_data

    model = onnx.load(exported, load_external_data=False)
    src_dir = os.path.dirname(exported)
    tensors = _all_tensors(model.graph)

    def nbytes(t):
        if uses_external_data(t):
            return int({e.key: e.value for e in t.external_data}.get("length", 0)) or _external_size(t, src_dir)
        return len(t.raw_data)

    if not any(uses_external_data(t) for t in tensors) and sum(nbytes(t) for t in tensors) <= threshold:
        shutil.move(exported, path)
        return None
    data_name = os.path.basename(path) + ".data"
    with open(os.path.join(os.path.dirname(os.path.abspath(path)), data_name), "wb") as out:
        for t in tensors:
            if uses_external_data(t):
                info = {e.key: e.value for e in t.external_data}
                with open(os.path.join(src_dir, info["location"]), "rb") as f:
                    f.seek(int(info.get("offset", 0)))
                    blob = f.read(int(info["length"])) if "length" in info else f.read()
            elif len(t.raw_data) >= 1024:
                blob = t.raw_data
            else:
                continue
            out.write(b"\0" * (-out.tell() % 64))
            offset = out.tell()
            out.write(blob)
            t.ClearField("raw_data")
            del t.external_data[:]
            t.data_location = onnx.TensorProto.EXTERNAL
            for key, value in (("location", data_name), ("offset", str(offset)), ("length", str(len(blob)))):
                entry = t.external_data.add()
                entry.key, entry.value = key, value
            del blob
    onnx.save_model(model, path)
    return data_name


def _external_size(t, src_dir):
    info = {e.key: e.value for e in t.external_data}
    return os.path.getsize(os.path.join(src_dir, info["location"])) - int(info.get("offset", 0))


def write_bin(golden_dir, index, name, t):
    a = t.detach().cpu().numpy() if torch.is_tensor(t) else np.asarray(t)
    a = a.astype("<f4") if a.dtype.kind == "f" else a.astype("<i8")
    fname = name + ".bin"
    with open(os.path.join(golden_dir, fname), "wb") as f:
        f.write(np.ascontiguousarray(a).tobytes())
    index["tensors"][name] = {"file": fname, "dtype": "float32" if a.dtype.kind == "f" else "int64",
                              "shape": [int(s) for s in a.shape]}


def export_pack(checkpoint, out_dir, name="musedance-pack", golden=True, precision="fp32", log=print,
                reuse_graphs_from=None):
    if precision != "fp32":
        raise ExportError("only fp32 ONNX export is supported by this exporter (see export.py docstring)")
    from .tokenizer import ClipTokenizer
    model, tok_dir, ck = load_checkpoint_model(checkpoint)
    cfg = model.cfg
    if not tok_dir or not os.path.exists(os.path.join(tok_dir, "vocab.json")):
        raise ExportError(f"{checkpoint}: no tokenizer files next to the checkpoint ({tok_dir})")
    tokenizer = ClipTokenizer.from_dir(tok_dir)
    os.makedirs(os.path.dirname(os.path.abspath(out_dir)), exist_ok=True)   # a new pack may go to a new folder
    tmp = tempfile.mkdtemp(prefix="pack-", dir=os.path.dirname(os.path.abspath(out_dir)) or None)
    os.chmod(tmp, 0o755)   # mkdtemp makes it private; a pack is an ordinary folder
    try:
        ex = example_inputs(model, tokenizer)
        graphs, golden_t = {}, {}
        with torch.no_grad():
            text_cond = model.text_encoder(ex["ids"])
            text_uncond = model.text_encoder(ex["empty_ids"])
            music = model.audio_encoder(ex["fbank"])
            ref_lat = model.vae.encode_scaled(ex["image"])
            image_rec = model.vae.decode_scaled(ref_lat)
            feats = model.reference_net(ref_lat, text_cond)
            motion = ref_lat[:, None].repeat(1, cfg.motion_frames, 1, 1, 1)
            text2, mus2, beats2, mot2 = cfg_rows(text_cond, text_uncond, music, ex["beats"], motion)
            noise_pred = model.unet(ex["unet_latents"], ex["timestep"], text2, feats, mus2, beats2, mot2)
        ref_names = [f"ref_feat_{i}" for i in range(len(feats))]
        plan = [
            ("text_encoder", model.text_encoder, (ex["ids"],), ["input_ids"], ["text_embeds"], [text_cond]),
            ("audio_encoder", model.audio_encoder, (ex["fbank"],), ["fbank"], ["music_tokens"], [music]),
            ("vae_encoder", VaeEncoderGraph(model.vae), (ex["image"],), ["image"], ["latents"], [ref_lat]),
            ("vae_decoder", VaeDecoderGraph(model.vae), (ref_lat,), ["latents"], ["image"], [image_rec]),
            ("reference_net", ReferenceNetGraph(model.reference_net), (ref_lat, text_cond),
             ["ref_latents", "text_embeds"], ref_names, feats),
            ("unet", UNetGraph(model.unet, len(feats)),
             (ex["unet_latents"], ex["timestep"], text2, mus2, beats2, mot2, *feats),
             ["latents", "timestep", "text_embeds", "music_tokens", "beat_onehot", "motion_latents"] + ref_names,
             ["noise_pred"], [noise_pred]),
        ]
        files = {}
        for gname, module, args, in_names, out_names, outs in plan:
            log(f"export {gname}")
            path = os.path.join(tmp, f"{gname}.onnx")
            ext = _export(module, args, path, in_names, out_names, reuse_graphs_from,
                          shape_inference=gname not in FAST_GRAPHS)
            model.eval()
            graphs[gname] = {"file": f"{gname}.onnx", "sha256": sha256_file(path), "opset": OPSET,
                             "inputs": [_tensor_spec(n, a) for n, a in zip(in_names, args)],
                             "outputs": [_tensor_spec(n, o) for n, o in zip(out_names, outs)]}
            if ext:
                graphs[gname]["externalData"] = ext
            for n, a in zip(in_names, args):
                golden_t[f"{gname}.{n}"] = a
            for n, o in zip(out_names, outs):
                golden_t[f"{gname}.{n}"] = o
        # tokenizer + weights
        os.makedirs(os.path.join(tmp, "tokenizer"))
        for f in ("vocab.json", "merges.txt"):
            shutil.copyfile(os.path.join(tok_dir, f), os.path.join(tmp, "tokenizer", f))
        weights = {"format": "musedance-weights", "version": 1, "config": cfg.to_dict(),
                   "state_dicts": {k: {n: v.half() if v.is_floating_point() else v for n, v in sd.items()}
                                   for k, sd in model.state_dicts().items()}}
        torch.save(weights, os.path.join(tmp, "weights.fp16.pt"))
        manifest_golden = None
        if golden:
            log("golden vectors")
            write_golden(os.path.join(tmp, "golden"), model, tokenizer, ex, golden_t, text_cond, text_uncond, music,
                         ref_lat, motion)
            manifest_golden = {"index": "golden/index.json"}
        for root, _, fs in os.walk(tmp):
            for f in fs:
                p = os.path.join(root, f)
                rel = os.path.relpath(p, tmp).replace(os.sep, "/")
                files[rel] = {"sha256": sha256_file(p), "bytes": os.path.getsize(p)}
        manifest = build_manifest(name, cfg, graphs, tokenizer, files, ck, manifest_golden)
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
        if os.path.exists(out_dir):
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp)
    log(f"pack written to {out_dir}")
    return os.path.join(out_dir, "manifest.json")


def write_golden(gdir, model, tokenizer, ex, golden_t, text_cond, text_uncond, music, ref_lat, motion):
    os.makedirs(gdir)
    index = {"version": 1, "tensors": {}, "tokenizer": [], "sampling": {}, "tolerances": {}}
    for n, t in golden_t.items():
        write_bin(gdir, index, n, t)
    write_bin(gdir, index, "fbank.waveform", torch.from_numpy(ex["wave"]))
    write_bin(gdir, index, "fbank.features", ex["fbank"])
    write_bin(gdir, index, "text_encoder.uncond_input_ids", ex["empty_ids"])
    write_bin(gdir, index, "text_encoder.uncond_text_embeds", text_uncond)
    index["tokenizer"] = [{"text": p, "ids": tokenizer.encode(p)} for p in GOLDEN_PROMPTS]
    record = []
    final = sample_segment(model, ref_lat, text_cond, text_uncond, music, ex["beats"], motion, ex["noise"],
                           GOLDEN_STEPS, GUIDANCE, record)
    frames = decode_frames(model, final)
    write_bin(gdir, index, "sampling.noise", ex["noise"])
    write_bin(gdir, index, "sampling.beat_onehot", ex["beats"])
    write_bin(gdir, index, "sampling.motion_latents", motion)
    for i, (_, lat) in enumerate(record):
        write_bin(gdir, index, f"sampling.latents_step_{i}", lat)
    write_bin(gdir, index, "sampling.final_latents", final)
    write_bin(gdir, index, "sampling.frames", frames)
    index["sampling"] = {
        "numSteps": GOLDEN_STEPS, "guidanceScale": GUIDANCE, "timesteps": [t for t, _ in record],
        "inputs": {"ref_latents": "vae_encoder.latents", "text_cond": "text_encoder.text_embeds",
                   "text_uncond": "text_encoder.uncond_text_embeds", "music_tokens": "audio_encoder.music_tokens",
                   "beat_onehot": "sampling.beat_onehot", "motion_latents": "sampling.motion_latents",
                   "noise": "sampling.noise"},
        "outputs": {"latents_per_step": [f"sampling.latents_step_{i}" for i in range(len(record))],
                    "final_latents": "sampling.final_latents", "frames": "sampling.frames"}}
    index["tolerances"] = {"default": {"maxAbs": 1e-3}, "fbank.features": {"maxAbs": 1e-3},
                           "sampling.frames": {"maxAbs": 2e-2}}
    with open(os.path.join(gdir, "index.json"), "w") as f:
        json.dump(index, f, indent=1)


def pack_sizes(graphs, files, weights_file="weights.fp16.pt"):
    """The manifest's `sizes`: bytes on disk of the whole pack, of each graph (file + external data), of the weights."""
    per_graph = {g: files[spec["file"]]["bytes"] + (files[spec["externalData"]]["bytes"] if spec.get("externalData") else 0)
                 for g, spec in graphs.items()}
    return {"totalBytes": sum(f["bytes"] for f in files.values()), "graphs": per_graph,
            "weightsBytes": files[weights_file]["bytes"]}


def build_manifest(name, cfg: MuseDanceConfig, graphs, tokenizer, files, ck, golden, extra=None):
    h, w = cfg.latent_hw
    sched = ddim_for(cfg)
    m = {
        "schemaVersion": 1, "name": name,
        "description": "MuseDance model pack exported by native-models (see native-models/PACK.md)",
        "createdAt": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "precision": "fp32",
        "config": {"name": cfg.name, "height": cfg.height, "width": cfg.width, "fps": cfg.fps,
                   "framesPerSegment": cfg.frames_per_segment, "motionFrames": cfg.motion_frames,
                   "latentChannels": cfg.vae.latent_channels, "vaeDownsample": cfg.vae.downsample,
                   "scalingFactor": float(cfg.vae.scaling_factor), "textMaxLength": cfg.text.max_length,
                   "textDim": cfg.text.hidden_size, "audioDim": cfg.audio.hidden_size,
                   "musicTokens": cfg.audio.num_tokens, "guideChannels": cfg.unet.guide_channels,
                   "arch": cfg.to_dict()},
        "audio": {"sampleRateHz": 16000, "numMelBins": cfg.audio.num_mel_bins, "fbankFrames": cfg.audio.fbank_frames,
                  "frameShiftMs": 10, "frameLengthMs": 25, "normMean": cfg.audio.norm_mean,
                  "normStd": cfg.audio.norm_std, "segmentSamples": cfg.segment_samples},
        "beats": {"rule": "floor((beatSec - segmentStartSec) * fps + 0.5)"},
        "cfg": {"rows": ["conditional", "unconditional"],
                "blankedInputs": ["text_embeds", "music_tokens", "beat_onehot"],
                "blankValue": {"text_embeds": "empty_prompt", "music_tokens": "zeros", "beat_onehot": "zeros"}},
        "firstSegmentMotion": "reference_latent_repeated",
        "scheduler": {"type": "ddim", "numTrainTimesteps": cfg.num_train_timesteps, "betaSchedule": "scaled_linear",
                      "betaStart": cfg.beta_start, "betaEnd": cfg.beta_end, "predictionType": "epsilon",
                      "timestepSpacing": "leading", "stepsOffset": sched.steps_offset, "setAlphaToOne": False,
                      "clipSample": False, "eta": 0, "defaultNumSteps": 20, "defaultGuidanceScale": GUIDANCE},
        "graphs": graphs,
        "tokenizer": {"vocab": "tokenizer/vocab.json", "merges": "tokenizer/merges.txt", "maxLength": 77,
                      "bosTokenId": tokenizer.bos_token_id, "eosTokenId": tokenizer.eos_token_id,
                      "padTokenId": tokenizer.pad_token_id, "vocabSize": tokenizer.vocab_size},
        "weights": {"file": "weights.fp16.pt", "sha256": files["weights.fp16.pt"]["sha256"], "dtype": "float16"},
        "files": files,
        "training": {"stage": ck.get("stage"), "steps": ck.get("step"), "spec": ck.get("spec"),
                     "conditionDropProb": (ck.get("spec") or {}).get("condition_drop_prob"),
                     "finalLoss": float(np.mean(ck["losses"][-20:])) if ck.get("losses") else None},
    }
    if golden:
        m["golden"] = golden
    m["sizes"] = pack_sizes(graphs, files)
    m.update(extra or {})
    return m


def main(argv=None):
    ap = argparse.ArgumentParser(description="export a MuseDance model pack")
    ap.add_argument("checkpoint")
    ap.add_argument("out_dir")
    ap.add_argument("--name", default="musedance-pack")
    ap.add_argument("--no-golden", action="store_true")
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    export_pack(a.checkpoint, a.out_dir, a.name, golden=not a.no_golden)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
