"""DDPM (training noise / ancestral sampling) and DDIM (what packs sample with) schedulers, diffusers-shaped."""
from .ddim import DDIMScheduler
from .ddpm import DDPMScheduler, make_betas
