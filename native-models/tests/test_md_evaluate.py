"""The held-out evaluation (RESULTS.md's table) on a short real training chain: metrics in their ranges, the
table's noise reproduced by `metrics_over_seeds` at the same seed and changed by another one, and the beat-shift
test (only the beat input differs between its two samples)."""
import json

import pytest

from musedance_models.evaluate import SAMPLE_SEED, evaluate_variant, metrics_over_seeds, paired_difference


def test_variant_metrics_and_seed_resampling(md_chain, tmp_path):
    table = evaluate_variant("full", md_chain["stage2"], md_chain["data"], str(tmp_path / "full.json"))
    assert json.load(open(tmp_path / "full.json"))["name"] == "full"
    assert table["heldout_loss"] > 0 and 0 < table["interframe_diff"] < 1
    assert -1 <= table["ssim_to_ref"] <= 1 and 0 <= table["beat_alignment"] <= 1
    seeds = metrics_over_seeds(md_chain["stage2"], md_chain["data"], [SAMPLE_SEED, 7], str(tmp_path / "seeds.json"))
    for key in ("psnr", "ssim", "ssim_to_ref", "interframe_diff", "beat_alignment"):
        assert seeds[str(SAMPLE_SEED)][key] == pytest.approx(table[key], abs=1e-9)
    assert seeds["7"]["interframe_diff"] != pytest.approx(table["interframe_diff"], abs=1e-9)
    per_clip = seeds["7"]["beat_alignment_per_clip"]
    assert sum(per_clip) / len(per_clip) == pytest.approx(seeds["7"]["beat_alignment"], abs=1e-12)
    assert paired_difference(seeds, seeds)["mean"] == 0.0     # a variant against itself


def test_beat_shift_changes_only_the_beat_input(md_chain):
    import numpy as np
    from musedance_models.data.loader import Dataset
    from musedance_models.evaluate import _tokenizer, beat_shift_metrics, sample_metrics
    from musedance_models.export import load_checkpoint_model
    model, tok_dir, _ = load_checkpoint_model(md_chain["stage2"])
    cfg, tokenizer = model.cfg, _tokenizer(tok_dir)
    clips = Dataset(md_chain["data"], "heldout", cfg.fps, cfg.height, cfg.width).clips
    for clip in clips:   # K = 8 frames here: a beat every 3 frames keeps both grids inside the video
        clip.beat_times_sec = list(np.arange(1, 60, 3) / cfg.fps)
    shift = beat_shift_metrics(model, tokenizer, clips, cfg.fps)
    table = sample_metrics(model, tokenizer, clips, cfg.fps)
    assert shift["true_on_true"] == pytest.approx(table["beat_alignment"], abs=1e-9)   # the table's own sample
    per_clip = shift["follows_per_clip"]
    assert shift["follows"] == pytest.approx(sum(per_clip) / len(per_clip), abs=1e-12)
    assert shift["follows"] == pytest.approx((shift["true_on_true"] - shift["shifted_on_true"]
                                              + shift["shifted_on_shifted"] - shift["true_on_shifted"]) / 2, abs=1e-9)

    for layer in model.unet.modules():   # without its beat modules the model cannot follow the beat input
        if hasattr(layer, "beat") and hasattr(layer, "music"):
            layer.beat = None
    deaf = beat_shift_metrics(model, tokenizer, clips, cfg.fps)
    assert deaf["true_on_true"] == deaf["shifted_on_true"] and deaf["follows"] == 0.0
    assert deaf["true_on_shifted"] == deaf["shifted_on_shifted"]


def test_paired_difference_pairs_the_same_seed_and_clip():
    a = {"1": {"beat_alignment_per_clip": [0.5, 0.4]}, "2": {"beat_alignment_per_clip": [0.3, 0.9]}}
    b = {"1": {"beat_alignment_per_clip": [0.2, 0.4]}, "2": {"beat_alignment_per_clip": [0.4, 0.5]},
         "3": {"beat_alignment_per_clip": [0.0, 0.0]}}                  # seed 3 has no partner: left out
    d = paired_difference(a, b)
    assert d["pairs"] == 4 and d["seeds"] == ["1", "2"] and (d["wins"], d["losses"]) == (2, 1)
    assert d["mean"] == pytest.approx((0.3 + 0.0 - 0.1 + 0.4) / 4)
    assert d["stderr"] == pytest.approx(0.2380476143 / 2, rel=1e-6)
    with pytest.raises(ValueError):
        paired_difference(a, {"1": {"beat_alignment_per_clip": [0.1]}})   # different clip counts


def test_untrained_row_reports_ground_truth_and_chance(md_chain, tmp_path):
    row = evaluate_variant("untrained", md_chain["stage2"], md_chain["data"], str(tmp_path / "u.json"), untrained=True)
    assert row["heldout_loss"] > 0
    assert row["gt_ssim_to_ref"] > row["other_clip_ssim_to_ref"]
    chance = row["other_song_beat_alignment"]       # None when the held-out clips share one song
    assert chance is None or 0 <= chance < row["gt_beat_alignment"]


def test_chance_beat_alignment_uses_another_beat_grid():
    import numpy as np
    from musedance_models.evaluate import other_song_beat_alignment
    from musedance_models.metrics import beat_alignment_score
    fps, t = 12.0, np.arange(48) / 12.0

    def dancing_to(period, offset):   # moves between poses, stopping on the beats offset + n * period
        speed = np.abs(np.sin(np.pi * (t - offset) / period))
        return np.cumsum(speed)[:, None, None] * np.ones((48, 4, 4)), list(np.arange(offset, 4.0, period))

    (va, ba), (vb, bb) = dancing_to(0.5, 0.5), dancing_to(0.75, 0.25)
    own = (beat_alignment_score(va, ba, fps) + beat_alignment_score(vb, bb, fps)) / 2
    assert other_song_beat_alignment([va, va], [ba, ba], fps) is None       # one song: no control
    chance = other_song_beat_alignment([va, vb, va], [ba, bb, ba], fps)     # clip 2 skips clip 0 (same grid)
    expected = (beat_alignment_score(va, bb, fps) + beat_alignment_score(vb, ba, fps) + beat_alignment_score(va, bb, fps)) / 3
    assert chance == expected and chance < own
