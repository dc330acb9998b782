"""The held-out evaluation (RESULTS.md's table) on a short real training chain: metrics in their ranges, the
table's noise reproduced by `metrics_over_seeds` at the same seed and changed by another one."""
import json

import pytest

from musedance_models.evaluate import SAMPLE_SEED, evaluate_variant, metrics_over_seeds


def test_variant_metrics_and_seed_resampling(md_chain, tmp_path):
    table = evaluate_variant("full", md_chain["stage2"], md_chain["data"], str(tmp_path / "full.json"))
    assert json.load(open(tmp_path / "full.json"))["name"] == "full"
    assert table["heldout_loss"] > 0 and 0 < table["interframe_diff"] < 1
    assert -1 <= table["ssim_to_ref"] <= 1 and 0 <= table["beat_alignment"] <= 1
    seeds = metrics_over_seeds(md_chain["stage2"], md_chain["data"], [SAMPLE_SEED, 7], str(tmp_path / "seeds.json"))
    for key in ("psnr", "ssim", "ssim_to_ref", "interframe_diff", "beat_alignment"):
        assert seeds[str(SAMPLE_SEED)][key] == pytest.approx(table[key], abs=1e-9)
    assert seeds["7"]["interframe_diff"] != pytest.approx(table["interframe_diff"], abs=1e-9)


def test_untrained_row_reports_ground_truth_and_chance(md_chain, tmp_path):
    row = evaluate_variant("untrained", md_chain["stage2"], md_chain["data"], str(tmp_path / "u.json"), untrained=True)
    assert row["heldout_loss"] > 0
    assert row["gt_ssim_to_ref"] > row["other_clip_ssim_to_ref"]
