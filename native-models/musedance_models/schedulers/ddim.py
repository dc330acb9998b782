"""DDIM (eta = 0), the sampler packs use. Mirrors diffusers' DDIMScheduler with SD1.5's settings
(timestep_spacing "leading", steps_offset 1, set_alpha_to_one False); the TypeScript DDIM follows this file
line by line (PACK.md "Scheduler")."""
import numpy as np
import torch

from .ddpm import make_betas


class DDIMScheduler:
    def __init__(self, num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                 steps_offset=1, set_alpha_to_one=False):
        self.num_train_timesteps = num_train_timesteps
        self.alphas_cumprod = torch.from_numpy(
            np.cumprod(1.0 - make_betas(beta_schedule, num_train_timesteps, beta_start, beta_end), dtype=np.float32))
        self.final_alpha_cumprod = torch.tensor(1.0) if set_alpha_to_one else self.alphas_cumprod[0]
        self.steps_offset = steps_offset
        self.init_noise_sigma = 1.0
        self.timesteps = None

    def set_timesteps(self, num_inference_steps: int) -> None:
        self.num_inference_steps = num_inference_steps
        self.ratio = self.num_train_timesteps // num_inference_steps
        ts = (np.arange(num_inference_steps) * self.ratio)[::-1].astype(np.int64) + self.steps_offset
        self.timesteps = torch.from_numpy(ts.copy())

    def step(self, model_output: torch.Tensor, t: int, sample: torch.Tensor) -> torch.Tensor:
        t = int(t)
        prev_t = t - self.ratio
        a_t = self.alphas_cumprod[t]
        a_prev = self.alphas_cumprod[prev_t] if prev_t >= 0 else self.final_alpha_cumprod
        x0 = (sample - (1 - a_t).sqrt() * model_output) / a_t.sqrt()
        return a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * model_output
