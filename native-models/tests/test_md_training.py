"""Two-stage training: stage-2 freezing, checkpoint resume equivalence, dataset validation, synthetic data."""
import json
import os
import shutil

import numpy as np
import pytest
import torch

from musedance_models.checkpoint_io import load_own
from musedance_models.data.loader import Dataset, DatasetError
from musedance_models.data.synthetic import STYLES, beat_times, make_song, pose_track
from musedance_models.metrics import beat_alignment_score
from musedance_models.schedulers.ddpm import DDPMScheduler
from musedance_models.train import Trainer, TrainError, frame_difference_loss, high_noise_weights, run

from md_fixtures import spec


@pytest.fixture
def chain(md_chain):
    return md_chain


def test_stage2_trains_only_the_music_beat_motion_modules(chain, tmp_path):
    tr = Trainer(spec("stage2", chain["data"], str(tmp_path / "s2"), init=chain["stage1"], steps=1))
    m = tr.model
    before = {n: p.detach().clone() for n, p in m.named_parameters()}
    tr.run(lambda e: None, lambda: False)
    changed = {n for n, p in m.named_parameters() if not torch.equal(before[n], p)}
    assert changed and all(".stage2." in n or n.startswith("audio_encoder.") for n in changed)
    spatial = [n for n, p in m.unet.named_parameters() if ".attentions." in n and ".stage2." not in n]
    assert spatial and not any(p.requires_grad for n, p in m.unet.named_parameters() if n in spatial)
    assert not any(p.requires_grad for p in m.reference_net.parameters())
    assert any(".stage2." in n and ".music." in n for n in changed)
    assert any(".beat." in n for n in changed) and any(".motion." in n for n in changed)


def test_frame_difference_loss_penalises_errors_that_change_from_frame_to_frame():
    g = torch.Generator().manual_seed(0)
    noise = torch.randn(4, 8, 2, 4, 4, generator=g)
    high_noise = DDPMScheduler().snr(torch.tensor([700] * 4))
    steady = torch.randn(4, 1, 2, 4, 4, generator=g).expand(4, 8, 2, 4, 4)   # the same error in every frame
    flicker = torch.randn(4, 8, 2, 4, 4, generator=g)                        # a new error in every frame
    assert float(frame_difference_loss(noise + steady, noise, high_noise)) == pytest.approx(0.0, abs=1e-12)
    # independent unit-variance errors: each difference has variance 2
    assert float(frame_difference_loss(noise + flicker, noise, high_noise)) == pytest.approx(2.0, rel=0.15)
    # nearly clean timesteps count less (min-SNR weighting): at t = 20 the weight is 5 / SNR
    snr_low = DDPMScheduler().snr(torch.tensor([20] * 4))
    ratio = frame_difference_loss(noise + flicker, noise, snr_low) / frame_difference_loss(noise + flicker, noise, high_noise)
    assert float(ratio) == pytest.approx(float(5.0 / snr_low[0]), rel=1e-5) and float(ratio) < 0.1


def test_stage2_with_the_frame_difference_loss_adds_it_and_saves_it_in_the_spec(chain, tmp_path):
    a = run(spec("stage2", chain["data"], str(tmp_path / "a"), init=chain["stage1"], steps=3, frame_diff_loss=1.0))
    b = run(spec("stage2", chain["data"], str(tmp_path / "b"), init=chain["stage1"], steps=3))
    la, lb = load_own(a["checkpoint"])["losses"], load_own(b["checkpoint"])["losses"]
    # same batches, noise and weights at step 1: the extra term only adds
    assert la[0] > lb[0] and all(np.isfinite(la))
    assert load_own(a["checkpoint"])["spec"]["frame_diff_loss"] == 1.0


def test_high_noise_weights_charge_a_pose_error_its_x0_size_up_to_the_cap():
    sched = DDPMScheduler()
    snr = sched.snr(torch.tensor([100, 500, 700, 999]))
    w = high_noise_weights(snr, cap=20.0)
    assert float(w[0]) == 1.0                                   # SNR > 1: plain noise MSE
    assert float(w[1]) == pytest.approx(float(1 / snr[1]))      # 1/SNR: the x0 error's own size
    assert float(w[2]) == pytest.approx(float(1 / snr[2])) and 5 < float(w[2]) < 20
    assert float(w[3]) == 20.0                                  # capped where 1/SNR explodes


@pytest.mark.parametrize("stage", ["stage1", "stage2"])
def test_high_noise_weights_change_the_loss_and_are_saved_in_the_spec(chain, tmp_path, stage):
    init = chain["vae"] if stage == "stage1" else chain["stage1"]
    a = run(spec(stage, chain["data"], str(tmp_path / "a"), init=init, steps=1, batch_size=4, high_noise_weight_cap=20.0))
    b = run(spec(stage, chain["data"], str(tmp_path / "b"), init=init, steps=1, batch_size=4))
    la, lb = load_own(a["checkpoint"])["losses"], load_own(b["checkpoint"])["losses"]
    assert la[0] >= lb[0] and la[0] != lb[0] and all(np.isfinite(la))   # same batch at step 1; weights are >= 1
    assert load_own(a["checkpoint"])["spec"]["high_noise_weight_cap"] == 20.0


def test_resume_gives_the_same_losses_as_an_uninterrupted_run(chain, tmp_path):
    full = run(spec("stage2", chain["data"], str(tmp_path / "a"), init=chain["stage1"], steps=4))
    ref_losses = load_own(full["checkpoint"])["losses"]
    calls = {"n": 0}

    def stop_after_two():
        calls["n"] += 1
        return calls["n"] > 2
    first = run(spec("stage2", chain["data"], str(tmp_path / "b"), init=chain["stage1"], steps=4),
                should_stop=stop_after_two)
    assert first["stopped"] and first["step"] == 2
    events = []
    second = run(spec("stage2", chain["data"], str(tmp_path / "b"), init=chain["stage1"], steps=4), on_event=events.append)
    assert events[0]["event"] == "start" and events[0]["resumed"] and second["step"] == 4
    resumed_losses = load_own(second["checkpoint"])["losses"]
    assert len(ref_losses) == 4 and resumed_losses == pytest.approx(ref_losses, rel=1e-5, abs=1e-7)


def test_stage1_trains_the_reference_guide_and_stage2_keeps_it_frozen(chain, tmp_path):
    s1 = load_own(chain["stage1"])["models"]["unet"]["reference_guide_conv.weight"]
    assert s1.abs().sum() > 0                                   # zero-initialised, so stage 1 moved it
    tr = Trainer(spec("stage2", chain["data"], str(tmp_path / "s2"), init=chain["stage1"], steps=1))
    assert not tr.model.unet.reference_guide_conv.weight.requires_grad


def test_ablation_variants_load_the_shared_stage1_checkpoint(chain, tmp_path):
    tr = Trainer(spec("stage2", chain["data"], str(tmp_path / "nb"), init=chain["stage1"], steps=1, use_beat=False))
    names = [n for n, _ in tr.model.unet.named_parameters()]
    assert not any(".beat." in n for n in names) and any(".music." in n for n in names)
    s1 = load_own(chain["stage1"])["models"]["unet"]
    own = tr.model.unet.state_dict()
    assert all(torch.equal(own[k], s1[k].float()) for k in own if ".stage2." not in k)


def test_a_stage_mismatch_and_a_broken_dataset_are_clear_errors(chain, tmp_path):
    out = tmp_path / "x"
    os.makedirs(out)
    shutil.copyfile(chain["stage1"], out / "checkpoint.pt")
    with pytest.raises(TrainError, match="stage1 checkpoint"):
        Trainer(spec("stage2", chain["data"], str(out), init=chain["stage1"]))
    bad = tmp_path / "bad"
    shutil.copytree(chain["data"], bad)
    os.remove(bad / "clips" / "train_0001" / "frames" / "000003.png")
    with pytest.raises(DatasetError, match="train_0001: frame 3"):
        Dataset(str(bad), "train", 12.0, 64, 64)
    with pytest.raises(DatasetError, match="expected 32x32|needs 32x32"):
        Dataset(chain["data"], "train", 12.0, 32, 32)


def test_synthetic_clips_move_on_the_beat_and_heldout_is_unseen(chain):
    info = json.load(open(os.path.join(chain["data"], "dataset.json")))
    metas = {s: [json.load(open(os.path.join(chain["data"], "clips", c, "meta.json"))) for c in ids]
             for s, ids in info["splits"].items()}
    for key in ("subjectId", "songId"):
        assert not {m[key] for m in metas["train"]} & {m[key] for m in metas["heldout"]}
    clips = Dataset(chain["data"], "heldout", 12.0, 64, 64).clips
    for c in clips:
        frames = c.frames.astype(np.float64) / 255
        assert beat_alignment_score(frames, c.beat_times_sec, 12.0) > 0.5
        assert np.abs(np.diff(frames, axis=0)).mean() > 1e-3


def test_every_style_is_at_rest_exactly_on_the_beats():
    song = make_song(3)
    beats = beat_times(song, 6.0)
    for style in STYLES:
        eps = 1e-3
        p0, p1 = pose_track(style, beats, beats[2:8] - eps), pose_track(style, beats, beats[2:8] + eps)
        pm0, pm1 = pose_track(style, beats, beats[2:8] + 0.25 * (beats[1] - beats[0]) - eps), \
            pose_track(style, beats, beats[2:8] + 0.25 * (beats[1] - beats[0]) + eps)
        speed_on = sum(np.abs(p1[k] - p0[k]).max() for k in p0)
        speed_mid = sum(np.abs(pm1[k] - pm0[k]).max() for k in p0)
        assert speed_on < 0.1 * speed_mid, style


def test_motion_amplitude_scales_the_swing_but_not_the_timing():
    """Round 8 tried key poses twice as far from the centre pose; the beats must stay where the rest poses are, and
    the default must still make the data the pack was trained on (amplitude 1)."""
    song = make_song(5)
    beats = beat_times(song, 6.0)
    t = np.arange(72) / 12.0
    for style in ("bounce", "sway", "pulse", "tilt"):
        one, two = pose_track(style, beats, t, amplitude=1.0), pose_track(style, beats, t, amplitude=2.0)
        for k in ("dx", "dy", "angle", "head", "squash"):
            np.testing.assert_allclose(two[k], 2.0 * one[k], err_msg=f"{style} {k}")
        np.testing.assert_allclose(two["scale"] - 1.0, 2.0 * (one["scale"] - 1.0), err_msg=style)
    # spin's quarter turn per beat is already the whole motion: it does not scale
    np.testing.assert_allclose(pose_track("spin", beats, t, 2.0)["angle"], pose_track("spin", beats, t, 1.0)["angle"])
    assert pose_track("sway", beats, t)["dx"].max() == pytest.approx(7.0, abs=0.25)   # the default: rounds 1-7 data


def test_paired_noise_makes_ablation_variants_train_on_identical_batches(chain, tmp_path):
    """With `paired_noise` two variants draw the same windows, noise and timesteps; the stage-2 modules start as an
    identity, so the first step's loss is the same number with and without the beat module, and a resumed run draws
    what an uninterrupted one does. Without it the variants' streams differ from step 0 (RESULTS.md, round 8)."""
    def losses(name, paired, steps=3, **kw):
        out = run(spec("stage2", chain["data"], str(tmp_path / name), init=chain["stage1"], steps=steps,
                       paired_noise=paired, **kw))
        return load_own(out["checkpoint"])["losses"]
    full, no_beat = losses("full", True), losses("no_beat", True, use_beat=False)
    assert full[0] == pytest.approx(no_beat[0], rel=1e-6)
    assert losses("full_unpaired", False)[0] != pytest.approx(losses("no_beat_unpaired", False, use_beat=False)[0], rel=1e-6)
    calls = {"n": 0}

    def stop_after_one():
        calls["n"] += 1
        return calls["n"] > 1
    run(spec("stage2", chain["data"], str(tmp_path / "resumed"), init=chain["stage1"], steps=3, paired_noise=True),
        should_stop=stop_after_one)
    assert losses("resumed", True) == pytest.approx(full, rel=1e-5, abs=1e-7)
