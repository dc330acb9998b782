"""Import of the published checkpoints (issue 20): SD1.5 UNet/VAE/text encoder, AST, Moore-AnimateAnyone
reference/denoising/motion, AnimateDiff v1/v2, by their exact published key names and shapes
(musedance_models/weights_import/published_layouts.py records the sources and commits).

- full size: shape tables only (meta tensors, nothing allocated): every published key is loaded into exactly one
  tensor of ours or deliberately ignored with a reason, every tensor of ours is loaded or reported fresh;
- small width: real files written by scripts/make_fake_sources.py: values arrive where they belong, a renamed or
  reshaped key is refused with a message naming it (and both shapes), the AnimateDiff position tables are extended;
- the end-to-end build (pack_build on tiny-layout fake sources) writes a pack that check_pack.ts accepts and that
  `train` fine-tunes from."""
import json
import os
import subprocess
import sys

import pytest
import torch

from musedance_models.config import sd15
from musedance_models.models.attention import sinusoidal_positions
from musedance_models.weights_import import Sources, WeightsImportError, import_sources, load_file, read_config, save_file
from musedance_models.weights_import import published_layouts as L
from musedance_models.weights_import import source_config
from musedance_models.weights_import.importer import import_component, target_shapes
from musedance_models.weights_import.motion_modules import extend_positions, motion_key, motion_key_for
from musedance_models.weights_import.tensor_sources import TensorSource

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MAKE = os.path.join(ROOT, "scripts", "make_fake_sources.py")
CHECK = os.path.join(os.path.dirname(ROOT), "native-models", "scripts", "check_pack.ts")


class ShapeTable(TensorSource):
    """A checkpoint as a table of names and shapes: tensors are meta (no memory)."""

    def __init__(self, shapes):
        self.shapes = shapes

    def keys(self):
        return list(self.shapes)

    def shape(self, key):
        return self.shapes[key]

    def get(self, key):
        return torch.empty(self.shapes[key], device="meta")


def _full_cfg(motion=True):
    cfg = sd15()
    if motion:
        cfg.unet.motion_layout = "animatediff"
    return cfg


# ---- full size: shape tables -----------------------------------------------------------------------------------

def test_full_size_tables_read_back_as_the_sd15_architecture():
    base = sd15()
    unet = source_config.unet_config(ShapeTable(L.sd15_unet()), base.unet, L.diffusers_unet_config(L.FULL))
    assert unet.block_out_channels == (320, 640, 1280, 1280) and unet.attention_levels == (True, True, True, False)
    assert unet.layers_per_block == 2 and unet.cross_attention_dim == 768 and unet.attention_head_dim == 8
    vae = source_config.vae_config(ShapeTable(L.sd15_vae()), base.vae, L.diffusers_vae_config(L.FULL))
    assert vae.block_out_channels == (128, 256, 512, 512) and vae.latent_channels == 4 and vae.scaling_factor == 0.18215
    text = source_config.text_config(ShapeTable(L.clip_text()), base.text, L.clip_text_config(L.FULL))
    assert (text.vocab_size, text.hidden_size, text.num_layers, text.num_heads) == (49408, 768, 12, 12)
    audio = source_config.audio_config(ShapeTable(L.ast()), base.audio, L.ast_config(L.FULL))
    assert (audio.hidden_size, audio.num_layers, audio.fbank_frames, audio.num_tokens) == (768, 12, 1024, 1214)


@pytest.mark.parametrize("component,table,ignored", [
    ("unet", L.sd15_unet(), 0), ("reference_net", L.sd15_unet(), 0), ("vae", L.sd15_vae(), 0),
    ("text_encoder", L.clip_text(), 1), ("audio_encoder", L.ast(), 4),
])
def test_every_published_tensor_is_loaded_or_ignored_at_full_size(component, table, ignored):
    shapes = target_shapes(_full_cfg(), (component,))[component]
    key_fn = None
    if component == "unet":
        from musedance_models.weights_import.key_mapping import unet_key
        from musedance_models.weights_import.motion_modules import is_motion_key
        key_fn = lambda ours: None if is_motion_key(ours) else unet_key(ours)
    state, report = import_component(component, ShapeTable(table), shapes, None, "published", key_fn=key_fn)
    assert report.loaded + len(report.ignored) == len(table)      # every published key accounted for
    assert len(report.ignored) == ignored and all(report.ignored.values())
    assert report.loaded + len(report.fresh) == len(shapes)      # every key of ours loaded or fresh
    assert all(tuple(state[k].shape) == shapes[k] for k in state)
    if component in ("unet", "reference_net"):
        assert report.loaded == 686
    if component == "unet":
        assert all(".stage2." in k or k.startswith("reference_guide_conv.") for k in report.fresh)


@pytest.mark.parametrize("version,rows,loaded,ignored", [(2, 32, 16 * 28, 5 * 28), (1, 24, 15 * 28, 5 * 28)])
def test_animatediff_motion_modules_map_at_full_size(version, rows, loaded, ignored):
    table = L.animatediff_motion(L.FULL, version)
    shapes = {k: s for k, s in target_shapes(_full_cfg(), ("unet",))["unet"].items() if motion_key(k)}
    from musedance_models.weights_import.importer import _motion_ignore
    all_shapes = target_shapes(_full_cfg(), ("unet",))["unet"]
    state, report = import_component("motion module", ShapeTable(table), shapes, None, "mm", key_fn=motion_key_for(table),
                                     ignore=lambda k: _motion_ignore(k, all_shapes))
    assert report.loaded == loaded and len(report.ignored) == ignored and report.loaded + len(report.ignored) == len(table)
    # the modules MuseDance lacks are those of the levels without spatial attention
    assert {k.split(".motion_modules")[0] for k in report.ignored} == {"down_blocks.3", "up_blocks.0"}
    assert report.fresh == ([] if version == 2 else [k for k in shapes if k.startswith("mid_block.")])
    pe = "up_blocks.1.stage2.2.motion.temporal_transformer.transformer_blocks.0.attention_blocks.1.pos_encoder.pe"
    assert tuple(state[pe].shape) == (1, 64, 1280) and table[motion_key(pe)] == (1, rows, 1280)
    assert any("sinusoidal recomputation" in n for n in report.notes)


# ---- small width: real files -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_sources(tmp_path_factory):
    out = tmp_path_factory.mktemp("fake")
    p = subprocess.run([sys.executable, MAKE, "--width", "small", "--out", str(out)], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_small_sources_import_to_the_right_places(small_sources):
    s = small_sources
    sources = Sources(s["sd15"], s["ast"], s["animateAnyone"], None)
    cfg = read_config(sources)
    assert cfg.unet.block_out_channels == L.SMALL.unet and cfg.unet.motion_layout == "animatediff"
    result = import_sources(sources, cfg, dtype=None)
    aa = s["animateAnyone"]
    denoise = torch.load(os.path.join(aa, "denoising_unet.pth"))
    reference = torch.load(os.path.join(aa, "reference_unet.pth"))
    motion = torch.load(os.path.join(aa, "motion_module.pth"))
    unet, refnet = result.state_dicts["unet"], result.state_dicts["reference_net"]
    assert torch.equal(unet["down_blocks.1.sampler.conv.weight"], denoise["down_blocks.1.downsamplers.0.conv.weight"])
    assert torch.equal(refnet["unet.mid_block.attentions.0.proj_in.weight"], reference["mid_block.attentions.0.proj_in.weight"])
    key = "mid_block.stage2.0.motion.temporal_transformer.transformer_blocks.0.ff.net.0.proj.weight"
    assert torch.equal(unet[key], motion[motion_key(key)])
    pe = "down_blocks.0.stage2.1.motion.temporal_transformer.transformer_blocks.0.attention_blocks.0.pos_encoder.pe"
    table = unet[pe]
    assert torch.equal(table[:, :32], motion[motion_key(pe)])
    assert torch.allclose(table[0, 32:], sinusoidal_positions(64, table.shape[2])[32:])
    vae = load_file(os.path.join(s["sd15"], "vae", "diffusion_pytorch_model.safetensors"))
    assert torch.equal(result.state_dicts["vae"]["encoder.mid_block.attentions.0.to_q.weight"],
                       vae["encoder.mid_block.attentions.0.query.weight"])
    assert result.reports["audio_encoder"].ignored and result.reports["text_encoder"].ignored
    assert "pose_guider.pth" in " ".join(sources.unused_files())


def _copy_tree(src, dst):
    import shutil
    shutil.copytree(src, dst)
    return str(dst)


def test_a_renamed_or_reshaped_key_is_refused_by_name(small_sources, tmp_path):
    s = small_sources
    sd = _copy_tree(s["sd15"], tmp_path / "sd15")
    unet_file = os.path.join(sd, "unet", "diffusion_pytorch_model.safetensors")
    tensors = load_file(unet_file)
    key = "up_blocks.2.attentions.1.transformer_blocks.0.attn2.to_k.weight"
    tensors["up_blocks.2.attentions.1.transformer_blocks.0.attn2.to_key.weight"] = tensors.pop(key)
    save_file(tensors, unet_file)
    with pytest.raises(WeightsImportError, match=r"missing tensor up_blocks\.2\.attentions\.1\.transformer_blocks\.0\.attn2\.to_k\.weight"):
        import_sources(Sources(sd), dtype=None, components=("unet",))
    tensors[key] = torch.zeros(64, 65)
    save_file(tensors, unet_file)   # the renamed copy is still there: also refused, by name
    with pytest.raises(WeightsImportError, match=r"to_k\.weight has shape \(64, 65\).*expects \(64, 64\)"):
        import_sources(Sources(sd), dtype=None, components=("unet",))
    tensors[key] = torch.zeros(64, 64)
    save_file(tensors, unet_file)
    with pytest.raises(WeightsImportError, match=r"tensor up_blocks\.2\.attentions\.1\.transformer_blocks\.0\.attn2\.to_key\.weight .*no place"):
        import_sources(Sources(sd), dtype=None, components=("unet",))


def test_a_renamed_motion_module_key_is_refused(small_sources, tmp_path):
    mm = torch.load(small_sources["motionModule"])
    key = "up_blocks.3.motion_modules.2.temporal_transformer.proj_out.weight"
    mm[key.replace("proj_out", "proj_output")] = mm.pop(key)
    path = str(tmp_path / "mm.ckpt")
    torch.save({"state_dict": mm, "global_step": 5}, path)   # the training-checkpoint wrapping AnimateDiff also reads
    with pytest.raises(WeightsImportError, match=r"missing tensor up_blocks\.3\.motion_modules\.2\.temporal_transformer\.proj_out\.weight"):
        import_sources(Sources(small_sources["sd15"], motion_module=path), dtype=None, components=("unet",))
    mm[key] = mm.pop(key.replace("proj_out", "proj_output"))
    key = "up_blocks.2.motion_modules.0.temporal_transformer.proj_out.weight"   # a 64-wide level
    mm[key] = mm[key][:, :32]
    torch.save(mm, path)
    with pytest.raises(WeightsImportError, match=r"proj_out\.weight has shape \(64, 32\)"):
        import_sources(Sources(small_sources["sd15"], motion_module=path), dtype=None, components=("unet",))


def test_position_tables_extend_by_recomputing_the_sinusoids():
    for rows in (24, 32):
        published = sinusoidal_positions(rows, 320)[None].half()
        table, deviation = extend_positions(published, 50)
        assert table.shape == (1, 50, 320) and deviation < 1e-3
        assert torch.equal(table[:, :rows], published)                                   # kept verbatim
        assert torch.allclose(table[0, rows:].float(), sinusoidal_positions(50, 320)[rows:], atol=1e-3)
    altered = sinusoidal_positions(32, 64)[None] + 0.5
    table, deviation = extend_positions(altered, 40)
    assert abs(deviation - 0.5) < 1e-5 and torch.equal(table[:, :32], altered)
    assert extend_positions(altered, 16)[0].shape == (1, 16, 64)


# ---- end to end: fake sources -> pack_build -> a valid pack ------------------------------------------------------

@pytest.fixture(scope="module")
def built_pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    p = subprocess.run([sys.executable, MAKE, "--width", "tiny", "--out", str(root / "src"),
                        "--only", "sd15,ast,motion-module"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    src = json.loads(p.stdout.strip().splitlines()[-1])
    out = root / "packs" / "new" / "mine"    # missing parent folders are created
    p = subprocess.run([sys.executable, "-m", "musedance_models.pack_build", "--sd15", src["sd15"], "--ast", src["ast"],
                        "--motion-module", src["motionModule"], "--height", "64", "--width", "64", "--frames", "4",
                        "--out", str(out), "--threads", "1", "--golden"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    events = [json.loads(line) for line in p.stdout.splitlines()]
    assert p.returncode == 0, (events[-1:], p.stderr[-2000:])
    return str(out), events


def test_pack_build_writes_a_pack_the_checker_accepts(built_pack):
    out, events = built_pack
    kinds = [e["type"] for e in events]
    assert kinds[0] == "sources" and kinds[1] == "estimate" and kinds[-1] == "done" and "report" in kinds
    fractions = [e["fraction"] for e in events if e["type"] == "progress"]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    assert manifest["sizes"]["totalBytes"] == events[-1]["bytes"] > 0
    assert manifest["memory"]["height"] == 64 and manifest["importReport"]["file"] == "import_report.json"
    assert manifest["config"]["arch"]["unet"]["motion_layout"] == "animatediff"
    report = json.load(open(os.path.join(out, "import_report.json")))
    assert report["components"]["unet"]["ignored"] and report["components"]["unet"]["fresh"]
    assert not [f for f in os.listdir(os.path.dirname(out)) if ".partial-" in f]
    p = subprocess.run(["node", "--import", "tsx", CHECK, out], capture_output=True, text=True, timeout=300,
                       cwd=os.path.dirname(ROOT))
    result = json.loads(p.stdout.strip().splitlines()[-1])
    assert p.returncode == 0 and result["ok"], result


def test_train_fine_tunes_from_a_built_pack(built_pack, tmp_path):
    from musedance_models.train import Trainer, TrainSpec
    from md_fixtures import make_dataset

    out, _ = built_pack
    cfg = json.load(open(os.path.join(out, "manifest.json")))["config"]
    data = make_dataset(str(tmp_path / "data"), train=2, heldout=1, duration_sec=1.0)
    spec = TrainSpec(stage="stage2", dataset=data, out_dir=str(tmp_path / "run"), steps=1, batch_size=1, lr=1e-4,
                     threads=1, init=os.path.join(out, "weights.fp16.pt"), checkpoint_every_steps=1000, train_frames=2)
    trainer = Trainer(spec)
    assert trainer.cfg.height == cfg["height"] and trainer.tokenizer_dir == os.path.join(out, "tokenizer")
    result = trainer.run(lambda e: None, lambda: False)
    assert result and os.path.exists(os.path.join(tmp_path, "run", "checkpoint.pt"))


def test_estimate_only_reads_no_weights(small_sources):
    p = subprocess.run([sys.executable, "-m", "musedance_models.pack_build", "--sd15", small_sources["sd15"],
                        "--estimate-only", "--height", "640", "--width", "640", "--frames", "48"],
                       capture_output=True, text=True, timeout=120, cwd=ROOT)
    events = [json.loads(line) for line in p.stdout.splitlines()]
    assert p.returncode == 0 and [e["type"] for e in events] == ["sources", "estimate", "done"]
    est = events[1]
    assert est["frames"] == 48 and est["inference"]["peakBytes"] > est["inference"]["weightsBytes"] > 0


def test_pack_build_errors_are_one_json_line(tmp_path):
    p = subprocess.run([sys.executable, "-m", "musedance_models.pack_build", "--sd15", str(tmp_path / "nope"),
                        "--out", str(tmp_path / "p")], capture_output=True, text=True, timeout=120, cwd=ROOT)
    lines = p.stdout.strip().splitlines()
    assert p.returncode == 1 and len(lines) == 1
    assert json.loads(lines[0]) == {"type": "error", "code": "SOURCE_MISSING",
                                    "message": f"Stable Diffusion folder not found: {tmp_path / 'nope'}"}
