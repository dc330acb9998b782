"""Evaluation metrics: PSNR, SSIM (vs scikit-image), beat alignment, LPIPS/FVD plumbing (random weights)."""
import numpy as np
import pytest
import torch
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from musedance_models.metrics import (Lpips, LpipsWeightsError, FvdWeightsError, beat_alignment_score,
                                      frechet_distance, fvd, load_i3d_torchscript, motion_beat_times, psnr, ssim)


def _image_pair(seed=0, size=(40, 48)):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size[0], 0:size[1]] / 10.0
    base = np.stack([np.sin(xx), np.cos(yy), np.sin(xx + yy)], axis=-1) * 0.4 + 0.5
    return base, np.clip(base + rng.normal(0, 0.08, base.shape), 0, 1)


def test_psnr_matches_definition_and_skimage():
    a, b = _image_pair()
    assert psnr(a, b) == pytest.approx(peak_signal_noise_ratio(a, b, data_range=1.0), rel=1e-9)
    assert psnr(a, a) == float("inf")
    assert psnr(np.zeros((8, 8, 3)), np.full((8, 8, 3), 0.1)) == pytest.approx(20.0)


@pytest.mark.parametrize("gaussian", [False, True])
def test_ssim_matches_scikit_image(gaussian):
    a, b = _image_pair(seed=1)
    expected = structural_similarity(a, b, channel_axis=-1, data_range=1.0, gaussian_weights=gaussian,
                                     use_sample_covariance=not gaussian, sigma=1.5)
    assert ssim(a, b, gaussian_weights=gaussian, use_sample_covariance=not gaussian) == pytest.approx(expected, abs=1e-10)
    assert ssim(a[..., 0], b[..., 0]) == pytest.approx(structural_similarity(a[..., 0], b[..., 0], data_range=1.0), abs=1e-10)
    assert ssim(a, a) == pytest.approx(1.0)


def test_metrics_reject_mismatched_or_non_finite_images():
    a, _ = _image_pair()
    with pytest.raises(ValueError, match="shape"):
        ssim(a, a[:-1])
    bad = a.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        psnr(a, bad)


def _oscillating_square_video(still_times_sec, fps=12.0, seconds=6.0, size=32):
    """A square moving left/right as a cosine: it is momentarily still at `still_times_sec` (every half period)."""
    frames = []
    period = 2 * (still_times_sec[1] - still_times_sec[0])
    for j in range(int(seconds * fps)):
        t = j / fps
        x = size / 2 + 9 * np.cos(2 * np.pi * (t - still_times_sec[0]) / period)
        img = np.zeros((size, size, 3))
        xx = np.arange(size)[None, :]
        img[8:24] = np.clip(1 - np.abs(xx - x) / 5.0, 0, 1)[..., None]  # soft edges: sub-pixel motion visible
        frames.append(img)
    return np.stack(frames)


def test_beat_alignment_is_high_when_motion_stops_on_beats_and_low_when_offset():
    beats = np.arange(0.5, 6.0, 0.5)  # 120 bpm
    on_beat = _oscillating_square_video(beats)
    motion_beats = motion_beat_times(on_beat, fps=12.0)
    assert np.abs(motion_beats[:, None] - beats[None, :]).min(axis=1).max() < 1 / 12 + 1e-9
    assert beat_alignment_score(on_beat, beats, fps=12.0) > 0.8
    off_beat = _oscillating_square_video(beats + 0.25)  # stills fall exactly between beats
    assert beat_alignment_score(off_beat, beats, fps=12.0) < 0.1
    static = np.zeros((24, 16, 16, 3))
    assert beat_alignment_score(static, beats, fps=12.0) == 0.0
    with pytest.raises(ValueError, match="no music beat"):
        beat_alignment_score(on_beat, [100.0], fps=12.0)


def _random_lpips_files(tmp_path, backbone="alex"):
    torch.manual_seed(0)
    reference = Lpips(backbone)
    backbone_state = {f"features.{k}": v for k, v in reference.features.state_dict().items()}
    backbone_state["classifier.1.weight"] = torch.zeros(2, 2)  # torchvision files carry a classifier: ignored
    linear_state = {f"lin{k}.model.1.weight": lin.weight.abs() for k, lin in enumerate(reference.lins)}
    torch.save(backbone_state, tmp_path / "backbone.pth")
    torch.save(linear_state, tmp_path / "lin.pth")
    return str(tmp_path / "backbone.pth"), str(tmp_path / "lin.pth"), linear_state


def test_lpips_plumbing_with_random_weights(tmp_path):
    backbone_path, linear_path, linear_state = _random_lpips_files(tmp_path)
    model = Lpips.from_files(backbone_path, linear_path, backbone="alex")
    assert torch.equal(model.lins[0].weight, linear_state["lin0.model.1.weight"])
    a, b = _image_pair(size=(64, 64))
    rng = np.random.default_rng(3)
    far = np.clip(a + rng.normal(0, 0.4, a.shape), 0, 1)
    assert model.distance(a, a) == pytest.approx(0.0, abs=1e-7)
    d_near, d_far = model.distance(a, b), model.distance(a, far)
    assert 0 < d_near < d_far
    assert model.distance(b, a) == pytest.approx(d_near, rel=1e-5)


def test_lpips_vgg_layout_builds_with_published_channel_widths():
    model = Lpips("vgg")
    assert [lin.weight.shape[1] for lin in model.lins] == [64, 128, 256, 512, 512]
    assert sum(p.numel() for p in model.features.parameters()) == 14_714_688  # VGG16 conv layers


def test_lpips_reports_missing_or_misshaped_weights(tmp_path):
    backbone_path, linear_path, linear_state = _random_lpips_files(tmp_path)
    with pytest.raises(LpipsWeightsError, match="not found"):
        Lpips.from_files(str(tmp_path / "nope.pth"), linear_path)
    del linear_state["lin4.model.1.weight"]
    torch.save(linear_state, tmp_path / "lin_bad.pth")
    with pytest.raises(LpipsWeightsError, match="lin4"):
        Lpips.from_files(backbone_path, str(tmp_path / "lin_bad.pth"))
    with pytest.raises(LpipsWeightsError, match="backbone weights lack"):
        Lpips.from_files(backbone_path, linear_path, backbone="vgg")  # AlexNet file given for VGG
    backbone_state = torch.load(backbone_path)
    backbone_state["features.0.weight"] = backbone_state["features.0.weight"][:32]
    torch.save(backbone_state, tmp_path / "backbone_bad.pth")
    with pytest.raises(LpipsWeightsError, match=r"features|0.weight has shape \(32, 3, 11, 11\)"):
        Lpips.from_files(str(tmp_path / "backbone_bad.pth"), linear_path)


def test_frechet_distance_closed_forms():
    cov = np.diag([1.0, 2.0, 3.0])
    assert frechet_distance(np.zeros(3), cov, np.array([1.0, 2.0, 2.0]), cov) == pytest.approx(9.0, abs=1e-8)
    assert frechet_distance(np.zeros(2), np.diag([4.0, 9.0]), np.zeros(2), np.diag([1.0, 1.0])) == pytest.approx(
        (2 - 1) ** 2 + (3 - 1) ** 2, abs=1e-8)


class _RandomVideoFeatures(torch.nn.Module):
    """Stands in for I3D with the same call signature; random weights, so its numbers are not FVD."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv3d(3, 6, kernel_size=3, stride=(1, 8, 8))
        self.head = torch.nn.Linear(6, 4)

    def forward(self, videos: torch.Tensor, rescale: bool, resize: bool, return_features: bool) -> torch.Tensor:
        assert videos.shape[2:] == (videos.shape[2], 224, 224)
        return self.head(torch.relu(self.conv(videos)).mean(dim=(2, 3, 4)))


def test_fvd_plumbing_with_a_random_torchscript_network(tmp_path):
    torch.manual_seed(0)
    torch.jit.script(_RandomVideoFeatures()).save(str(tmp_path / "i3d_torchscript.pt"))
    features_fn = load_i3d_torchscript(str(tmp_path / "i3d_torchscript.pt"))
    rng = np.random.default_rng(0)
    real = rng.uniform(0, 1, (8, 3, 12, 12, 3)).astype(np.float32)
    near = np.clip(real + rng.normal(0, 0.01, real.shape), 0, 1)
    far = np.clip(real * 0.3 + 0.6, 0, 1)
    assert fvd(real, real, features_fn) == pytest.approx(0.0, abs=1e-6)
    assert fvd(real, near, features_fn) < fvd(real, far, features_fn)
    with pytest.raises(FvdWeightsError):
        load_i3d_torchscript(str(tmp_path / "missing.pt"))


def test_synthetic_dance_clips_score_high_on_their_beats_and_low_half_a_beat_off(tmp_path):
    """The synthetic generator eases every move to a stop ON the beat: its clips are a real BAS fixture."""
    from musedance_models.data.loader import Dataset
    from musedance_models.data.synthetic import generate

    generate(str(tmp_path / "ds"), train=2, heldout=0, seed=3, size=32, duration_sec=4.0)
    for clip in Dataset(str(tmp_path / "ds"), "train", 12.0, 32, 32).clips:
        frames = clip.frames.astype(np.float64) / 255.0
        beats = clip.beat_times_sec
        half_period = float(np.median(np.diff(beats))) / 2
        assert beat_alignment_score(frames, beats, 12.0) > 0.8
        assert beat_alignment_score(frames, beats + half_period, 12.0) < 0.2


def test_video_psnr_ssim_averages_frames():
    from musedance_models.metrics import video_psnr_ssim

    a, b = _image_pair(seed=4)
    video_a, video_b = np.stack([a, a]), np.stack([b, b])
    result = video_psnr_ssim(video_a, video_b)
    assert result["psnr_db"] == pytest.approx(psnr(a, b)) and result["ssim"] == pytest.approx(ssim(a, b))
    assert video_psnr_ssim(video_a, video_a)["psnr_db"] == float("inf")
