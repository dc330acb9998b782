"""Reading the checkpoints and caches this project writes itself.

Why not plain `torch.load`: from torch 2.6 its default is `weights_only=True`, a restricted unpickler whose
allow-list differs between versions (torch 1.13's, asked for explicitly, refuses even the floats of our loss
history). These files are ours (trainer checkpoints with their RNG states, pack weights files, latent caches), so
we ask for the full unpickler explicitly instead of depending on that list; torch 1.13 (Debian's) already has the
argument. Only for files this project wrote: weights from elsewhere go through `weights_import` (tensors only)."""
import torch


def load_own(path, map_location="cpu"):
    """torch.load of a checkpoint, pack weights file or latent cache written by musedance_models."""
    return torch.load(path, map_location=map_location, weights_only=False)
