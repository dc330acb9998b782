"""Single-frame quality metrics of the paper's evaluation (Sec. 4.3): PSNR and SSIM.

Images are numpy arrays H x W x 3 (or H x W), float in [0, 1]. SSIM follows scikit-image's
`structural_similarity` (Wang et al. 2004): by default a 7x7 uniform window with sample covariance,
K1=0.01, K2=0.03, the border of half a window excluded from the mean, channels averaged;
`gaussian_weights=True` gives the 11x11 sigma-1.5 Gaussian window of the original paper.
"""
import numpy as np
from scipy.ndimage import gaussian_filter, uniform_filter

GAUSSIAN_SIGMA = 1.5
GAUSSIAN_TRUNCATE = 3.5


def _check_pair(a: np.ndarray, b: np.ndarray):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"images differ in shape: {a.shape} vs {b.shape}")
    if a.ndim not in (2, 3):
        raise ValueError(f"expected H x W or H x W x C images, got shape {a.shape}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("images contain NaN or infinity")
    return a, b


def psnr(a: np.ndarray, b: np.ndarray, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB; infinity for identical images."""
    a, b = _check_pair(a, b)
    mse = float(np.mean((a - b) ** 2))
    if mse == 0.0:
        return float("inf")
    return float(10.0 * np.log10(data_range ** 2 / mse))


def _ssim_channel(x: np.ndarray, y: np.ndarray, data_range: float, gaussian_weights: bool,
                  use_sample_covariance: bool, win_size: int, k1: float, k2: float) -> float:
    if gaussian_weights:
        def smooth(img):
            return gaussian_filter(img, sigma=GAUSSIAN_SIGMA, truncate=GAUSSIAN_TRUNCATE, mode="reflect")
    else:
        def smooth(img):
            return uniform_filter(img, size=win_size)
    window_pixels = win_size ** 2
    cov_norm = window_pixels / (window_pixels - 1) if use_sample_covariance else 1.0
    mean_x, mean_y = smooth(x), smooth(y)
    var_x = cov_norm * (smooth(x * x) - mean_x * mean_x)
    var_y = cov_norm * (smooth(y * y) - mean_y * mean_y)
    cov_xy = cov_norm * (smooth(x * y) - mean_x * mean_y)
    c1 = (k1 * data_range) ** 2
    c2 = (k2 * data_range) ** 2
    ssim_map = ((2 * mean_x * mean_y + c1) * (2 * cov_xy + c2)) / (
        (mean_x ** 2 + mean_y ** 2 + c1) * (var_x + var_y + c2))
    border = (win_size - 1) // 2
    return float(ssim_map[border:ssim_map.shape[0] - border, border:ssim_map.shape[1] - border].mean())


def ssim(a: np.ndarray, b: np.ndarray, data_range: float = 1.0, gaussian_weights: bool = False,
         use_sample_covariance: bool = True, k1: float = 0.01, k2: float = 0.03) -> float:
    """Mean structural similarity of two images (1.0 for identical images)."""
    a, b = _check_pair(a, b)
    win_size = 2 * int(GAUSSIAN_TRUNCATE * GAUSSIAN_SIGMA + 0.5) + 1 if gaussian_weights else 7
    if min(a.shape[0], a.shape[1]) < win_size:
        raise ValueError(f"images must be at least {win_size}x{win_size} pixels for SSIM")
    if a.ndim == 2:
        a, b = a[..., None], b[..., None]
    scores = [_ssim_channel(a[..., c], b[..., c], data_range, gaussian_weights, use_sample_covariance,
                            win_size, k1, k2) for c in range(a.shape[-1])]
    return float(np.mean(scores))


def video_psnr_ssim(frames_a: np.ndarray, frames_b: np.ndarray) -> dict:
    """Frame-averaged PSNR and SSIM of two videos T x H x W x 3 (what the paper's table reports)."""
    if frames_a.shape != frames_b.shape or frames_a.ndim != 4:
        raise ValueError(f"expected two T x H x W x C videos of equal shape, got {frames_a.shape} and {frames_b.shape}")
    psnrs = [psnr(x, y) for x, y in zip(frames_a, frames_b)]
    finite = [p for p in psnrs if np.isfinite(p)]
    return {
        "psnr_db": float(np.mean(finite)) if len(finite) == len(psnrs) else float("inf"),
        "ssim": float(np.mean([ssim(x, y) for x, y in zip(frames_a, frames_b)])),
    }
