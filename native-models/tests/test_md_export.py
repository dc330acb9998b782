"""ONNX pack export: manifest valid against the schema, graphs load in the real onnxruntime-node with the
manifest's names/shapes and reproduce the PyTorch golden vectors, golden vectors regenerate identically, and the
committed musedance-tiny pack passes the same checks."""
import json
import os
import subprocess

import pytest

from musedance_models.export import ExportError, export_pack

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CHECK = os.path.join(REPO, "native-models", "scripts", "check_pack.ts")
TINY_PACK = os.path.join(REPO, "assets", "models", "musedance-tiny")


def check_pack(pack_dir):
    p = subprocess.run(["node", "--import", "tsx", CHECK, pack_dir], capture_output=True, text=True, timeout=300, cwd=REPO)
    return p.returncode, json.loads(p.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def pack(md_chain, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("pack") / "p")
    export_pack(md_chain["stage2"], out, name="test-pack", log=lambda m: None)
    return out


def test_exported_pack_loads_in_onnxruntime_and_matches_manifest_and_golden(pack):
    rc, report = check_pack(pack)
    assert rc == 0 and report["ok"], report
    assert set(report["graphs"]) == {"text_encoder", "audio_encoder", "vae_encoder", "vae_decoder", "reference_net", "unet"}
    assert all(g["metadataChecked"] > 0 for g in report["graphs"].values())
    manifest = json.load(open(os.path.join(pack, "manifest.json")))
    unet_in = {t["name"]: t["shape"] for t in manifest["graphs"]["unet"]["inputs"]}
    K, C = manifest["config"]["framesPerSegment"], manifest["config"]["latentChannels"]
    assert unet_in["latents"] == [2, K, C, 8, 8] and unet_in["beat_onehot"] == [2, K] and unet_in["timestep"] == [1]
    assert unet_in["motion_latents"] == [2, manifest["config"]["motionFrames"], C, 8, 8]
    ref_out = [t["shape"] for t in manifest["graphs"]["reference_net"]["outputs"]]
    assert ref_out == [unet_in[f"ref_feat_{i}"] for i in range(len(ref_out))]


def test_a_corrupted_pack_is_reported_not_crashed(pack, tmp_path):
    import shutil
    bad = tmp_path / "bad"
    shutil.copytree(pack, bad)
    with open(bad / "unet.onnx", "r+b") as f:
        f.seek(100)
        f.write(b"\x00\x01\x02")
    m = json.load(open(bad / "manifest.json"))
    m["schemaVersion"] = 2
    json.dump(m, open(bad / "manifest.json", "w"))
    rc, report = check_pack(str(bad))
    assert rc == 1 and not report["ok"]
    whats = {p["what"] for p in report.get("problems", [])} or {report.get("error")}
    assert "schema" in whats or report.get("error")


def test_golden_vectors_regenerate_identically(md_chain, pack, tmp_path):
    again = str(tmp_path / "again")   # graphs are reused (same weights); the golden vectors are recomputed
    export_pack(md_chain["stage2"], again, name="test-pack", log=lambda m: None, reuse_graphs_from=pack)
    index = json.load(open(os.path.join(pack, "golden", "index.json")))
    assert index == json.load(open(os.path.join(again, "golden", "index.json")))
    for entry in index["tensors"].values():
        a = open(os.path.join(pack, "golden", entry["file"]), "rb").read()
        assert a == open(os.path.join(again, "golden", entry["file"]), "rb").read(), entry["file"]
    assert len(index["tokenizer"]) >= 5 and all(len(r["ids"]) == 77 for r in index["tokenizer"])
    assert len(index["sampling"]["timesteps"]) == index["sampling"]["numSteps"]


def test_fp16_onnx_is_refused_with_a_clear_error(md_chain, tmp_path):
    with pytest.raises(ExportError, match="fp32"):
        export_pack(md_chain["stage2"], str(tmp_path / "h"), precision="fp16")


def test_committed_tiny_pack_is_valid_and_reproduces_its_golden_vectors():
    assert os.path.exists(os.path.join(TINY_PACK, "manifest.json")), "assets/models/musedance-tiny is missing"
    rc, report = check_pack(TINY_PACK)
    assert rc == 0 and report["ok"], report
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(TINY_PACK) for f in fs)
    assert total <= 40 * 1024 * 1024
    manifest = json.load(open(os.path.join(TINY_PACK, "manifest.json")))
    assert manifest["name"] == "musedance-tiny" and manifest["config"]["framesPerSegment"] == 48


# The golden sampling run of the committed pack in Node (the studio's TypeScript DDIM) is checked by
# test/integration/inference/golden-vectors.test.ts.


def test_export_creates_missing_parent_folders_and_records_sizes(md_chain, pack, tmp_path):
    out = tmp_path / "not" / "yet" / "there"   # the worker's export (pack export --run) into a new folder
    export_pack(md_chain["stage2"], str(out), name="nested", golden=False, log=lambda m: None, reuse_graphs_from=pack)
    manifest = json.load(open(out / "manifest.json"))
    sizes = manifest["sizes"]
    assert sizes["totalBytes"] == sum(f["bytes"] for f in manifest["files"].values())
    assert sizes["graphs"]["unet"] == os.path.getsize(out / "unet.onnx") and sizes["weightsBytes"] > 0
