"""DDPM noise schedule: `add_noise` for training, `set_timesteps`/`step` for ancestral sampling."""
import numpy as np
import torch


def make_betas(schedule: str, n: int, beta_start: float, beta_end: float) -> np.ndarray:
    if schedule == "scaled_linear":   # SD1.5: linspace in sqrt space, squared (computed in float64)
        return (np.linspace(beta_start ** 0.5, beta_end ** 0.5, n, dtype=np.float64) ** 2).astype(np.float32)
    if schedule == "linear":
        return np.linspace(beta_start, beta_end, n, dtype=np.float64).astype(np.float32)
    raise ValueError(f"unknown beta schedule {schedule!r}")


class DDPMScheduler:
    def __init__(self, num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear"):
        self.num_train_timesteps = num_train_timesteps
        self.betas = torch.from_numpy(make_betas(beta_schedule, num_train_timesteps, beta_start, beta_end))
        self.alphas = 1.0 - self.betas
        self.alphas_cumprod = torch.cumprod(self.alphas, dim=0)
        self.timesteps = torch.arange(num_train_timesteps - 1, -1, -1)

    def add_noise(self, x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        a = self.alphas_cumprod[t].to(x0.dtype)
        shape = (-1,) + (1,) * (x0.dim() - 1)
        return a.sqrt().reshape(shape) * x0 + (1 - a).sqrt().reshape(shape) * noise

    def snr(self, t: torch.Tensor) -> torch.Tensor:
        """Signal-to-noise ratio alpha_bar / (1 - alpha_bar) at timesteps t (for loss weighting)."""
        a = self.alphas_cumprod[t]
        return a / (1 - a)

    def set_timesteps(self, num_inference_steps: int) -> None:
        ratio = self.num_train_timesteps // num_inference_steps
        self.timesteps = torch.from_numpy((np.arange(num_inference_steps)[::-1] * ratio).copy()).long()
        self.ratio = ratio

    def step(self, model_output: torch.Tensor, t: int, sample: torch.Tensor, generator=None) -> torch.Tensor:
        t = int(t)
        prev_t = t - self.ratio
        a_t = self.alphas_cumprod[t]
        a_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else torch.tensor(1.0)
        beta_t = 1 - a_t / a_prev
        x0 = (sample - (1 - a_t).sqrt() * model_output) / a_t.sqrt()
        mean = (a_prev.sqrt() * beta_t / (1 - a_t)) * x0 + ((1 - beta_t).sqrt() * (1 - a_prev) / (1 - a_t)) * sample
        if prev_t < 0:
            return mean
        var = (1 - a_prev) / (1 - a_t) * beta_t
        noise = torch.randn(sample.shape, generator=generator, dtype=sample.dtype)
        return mean + var.clamp(min=1e-20).sqrt() * noise
