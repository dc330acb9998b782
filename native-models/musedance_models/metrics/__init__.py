"""Evaluation metrics of the paper (Sec. 4.3): PSNR, SSIM, LPIPS, FVD, plus a beat alignment score.
LPIPS and FVD need pretrained weights the user supplies (see lpips.py, fvd.py)."""
from .beat_alignment import beat_alignment_score, motion_beat_times
from .fvd import FvdWeightsError, frechet_distance, fvd, load_i3d_torchscript
from .image_quality import psnr, ssim, video_psnr_ssim
from .lpips import Lpips, LpipsWeightsError

__all__ = ["psnr", "ssim", "video_psnr_ssim", "beat_alignment_score", "motion_beat_times", "Lpips",
           "LpipsWeightsError", "fvd", "frechet_distance", "load_i3d_torchscript", "FvdWeightsError"]
