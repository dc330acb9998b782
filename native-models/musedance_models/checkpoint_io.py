"""Reading the checkpoints and caches this project writes itself.

Why not plain `torch.load`: from torch 2.6 its default is `weights_only=True`, which refuses our training
checkpoints (they carry the NumPy and Python RNG states and the loss history, for an exact resume). torch 1.13
(Debian's) already has the argument, so saying it explicitly keeps both working. Only for files this project
wrote: a checkpoint from elsewhere goes through `weights_import` (tensors only)."""
import torch


def load_own(path, map_location="cpu"):
    """torch.load of a checkpoint, pack weights file or latent cache written by musedance_models."""
    return torch.load(path, map_location=map_location, weights_only=False)
