"""Fréchet Video Distance (Unterthiner et al. 2018) from a feature network the user supplies.

FVD is the Fréchet distance between Gaussians fitted to I3D features of real and generated videos. The
Kinetics-400 I3D weights cannot be downloaded here, so the extractor is supplied by the user as the TorchScript
file used by StyleGAN-V / universome's fvd-comparison (`i3d_torchscript.pt`), called as
`detector(videos, rescale=False, resize=False, return_features=True)` on float videos N x 3 x T x 224 x 224 in
[-1, 1] and returning N x 400 features. Any callable with that contract works (`features_fn`).
The tests run this plumbing with a small RANDOM TorchScript network: its numbers are not FVD values.
Preprocessing (fvd-comparison's): frames in [0, 1] -> bilinear resize so the short side is 224 -> centre crop
224 x 224 -> x * 2 - 1.
"""
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from scipy import linalg

I3D_SIZE = 224
SQRTM_EPS = 1e-6


class FvdWeightsError(ValueError):
    """The supplied I3D TorchScript file is missing or unusable."""


def load_i3d_torchscript(path: str) -> Callable[[torch.Tensor], torch.Tensor]:
    try:
        detector = torch.jit.load(path, map_location="cpu").eval()
    except (FileNotFoundError, ValueError) as err:
        raise FvdWeightsError(f"I3D TorchScript file not found or unreadable: {path}") from err
    except RuntimeError as err:
        raise FvdWeightsError(f"{path} is not a TorchScript file: {err}") from err

    def features(videos: torch.Tensor) -> torch.Tensor:
        return detector(videos, rescale=False, resize=False, return_features=True)

    return features


def preprocess_videos(videos: np.ndarray) -> torch.Tensor:
    """N x T x H x W x 3 in [0, 1] -> N x 3 x T x 224 x 224 in [-1, 1]."""
    videos = np.asarray(videos, dtype=np.float32)
    if videos.ndim != 5 or videos.shape[-1] != 3:
        raise ValueError(f"expected videos N x T x H x W x 3, got shape {videos.shape}")
    n, t, h, w, _ = videos.shape
    frames = torch.from_numpy(videos).reshape(n * t, h, w, 3).permute(0, 3, 1, 2)
    scale = I3D_SIZE / min(h, w)
    new_h, new_w = max(I3D_SIZE, round(h * scale)), max(I3D_SIZE, round(w * scale))
    frames = F.interpolate(frames, size=(new_h, new_w), mode="bilinear", align_corners=False)
    top, left = (new_h - I3D_SIZE) // 2, (new_w - I3D_SIZE) // 2
    frames = frames[:, :, top:top + I3D_SIZE, left:left + I3D_SIZE]
    frames = frames.reshape(n, t, 3, I3D_SIZE, I3D_SIZE).permute(0, 2, 1, 3, 4)
    return frames * 2 - 1


def frechet_distance(mu_a: np.ndarray, cov_a: np.ndarray, mu_b: np.ndarray, cov_b: np.ndarray) -> float:
    """||mu_a - mu_b||^2 + Tr(cov_a + cov_b - 2 (cov_a cov_b)^(1/2))."""
    diff = mu_a - mu_b
    covmean, _ = linalg.sqrtm(cov_a.dot(cov_b), disp=False)
    if not np.isfinite(covmean).all():  # singular product (few videos): regularise as pytorch-fid does
        offset = np.eye(cov_a.shape[0]) * SQRTM_EPS
        covmean = linalg.sqrtm((cov_a + offset).dot(cov_b + offset))
    covmean = covmean.real
    return float(diff.dot(diff) + np.trace(cov_a) + np.trace(cov_b) - 2 * np.trace(covmean))


def feature_statistics(features: np.ndarray):
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or features.shape[0] < 2:
        raise ValueError("FVD needs at least 2 videos per set")
    return features.mean(axis=0), np.cov(features, rowvar=False)


@torch.no_grad()
def fvd(real_videos: np.ndarray, fake_videos: np.ndarray, features_fn: Callable[[torch.Tensor], torch.Tensor],
        batch_size: int = 4) -> float:
    """FVD between two sets of videos (N x T x H x W x 3 in [0, 1]; T >= 10 frames for I3D)."""
    def all_features(videos):
        chunks = [features_fn(preprocess_videos(videos[i:i + batch_size])).cpu().numpy()
                  for i in range(0, len(videos), batch_size)]
        return np.concatenate(chunks, axis=0)

    mu_a, cov_a = feature_statistics(all_features(real_videos))
    mu_b, cov_b = feature_statistics(all_features(fake_videos))
    return frechet_distance(mu_a, cov_a, mu_b, cov_b)
