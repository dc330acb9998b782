"""LPIPS (Zhang et al. 2018) computed from weights the user supplies.

The pretrained weights cannot be downloaded on our machines, so nothing here ships or fetches them. A user
with the files passes their paths:
- `backbone_path`: torchvision's ImageNet AlexNet (`alexnet-owt-7be5be79.pth`) or VGG16 (`vgg16-397923af.pth`)
  state dict, keys `features.N.weight/bias` (other keys such as `classifier.*` are ignored);
- `linear_path`: LPIPS v0.1 linear heads (`alex.pth` / `vgg.pth` from richzhang/PerceptualSimilarity),
  keys `lin0.model.1.weight` .. `lin4.model.1.weight`, shapes [1, C_k, 1, 1].
The tests exercise this plumbing with RANDOM weights written in those key layouts; numbers from random
weights mean nothing, only real weights give LPIPS values comparable with papers.

Distance: images in [-1, 1] -> (x - shift) / scale -> backbone activations after 5 ReLUs -> unit-normalise each
activation over channels -> squared difference -> 1x1 conv (linear head) -> spatial mean -> sum over layers.
"""
from typing import Dict, List, Tuple

import numpy as np
import torch
from torch import nn

# LPIPS' ScalingLayer constants (ImageNet statistics expressed for [-1, 1] inputs).
LPIPS_SHIFT = (-0.030, -0.088, -0.188)
LPIPS_SCALE = (0.458, 0.448, 0.450)
NORMALISE_EPS = 1e-10

# torchvision `features` layouts: (layer spec list, indices of the ReLUs whose outputs LPIPS taps)
_ALEX_LAYERS = [("conv", 3, 64, 11, 4, 2), ("relu",), ("pool",), ("conv", 64, 192, 5, 1, 2), ("relu",), ("pool",),
                ("conv", 192, 384, 3, 1, 1), ("relu",), ("conv", 384, 256, 3, 1, 1), ("relu",),
                ("conv", 256, 256, 3, 1, 1), ("relu",)]
_ALEX_TAPS = (1, 4, 7, 9, 11)


def _vgg16_layers():
    layers, in_ch = [], 3
    for block, (out_ch, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]):
        if block:
            layers.append(("pool",))
        for _ in range(convs):
            layers += [("conv", in_ch, out_ch, 3, 1, 1), ("relu",)]
            in_ch = out_ch
    return layers


_VGG_LAYERS = _vgg16_layers()
_VGG_TAPS = (3, 8, 15, 22, 29)
BACKBONES: Dict[str, Tuple[list, tuple]] = {"alex": (_ALEX_LAYERS, _ALEX_TAPS), "vgg": (_VGG_LAYERS, _VGG_TAPS)}


class LpipsWeightsError(ValueError):
    """Supplied LPIPS/backbone weights are missing, unreadable or of the wrong layout."""


def _build_features(spec: list) -> nn.Sequential:
    modules: List[nn.Module] = []
    for layer in spec:
        if layer[0] == "conv":
            _, cin, cout, k, stride, pad = layer
            modules.append(nn.Conv2d(cin, cout, k, stride=stride, padding=pad))
        elif layer[0] == "relu":
            modules.append(nn.ReLU(inplace=False))
        else:
            modules.append(nn.MaxPool2d(kernel_size=3, stride=2) if spec is _ALEX_LAYERS
                           else nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*modules)


class Lpips(nn.Module):
    def __init__(self, backbone: str = "alex"):
        super().__init__()
        if backbone not in BACKBONES:
            raise ValueError(f"unknown LPIPS backbone {backbone!r}; use one of {sorted(BACKBONES)}")
        spec, self.taps = BACKBONES[backbone]
        self.backbone_name = backbone
        self.features = _build_features(spec)
        channels = [spec[i - 1][2] for i in self.taps]  # the conv before each tapped ReLU
        self.lins = nn.ModuleList(nn.Conv2d(c, 1, 1, bias=False) for c in channels)
        self.register_buffer("shift", torch.tensor(LPIPS_SHIFT).view(1, 3, 1, 1))
        self.register_buffer("scale", torch.tensor(LPIPS_SCALE).view(1, 3, 1, 1))
        self.eval().requires_grad_(False)

    @classmethod
    def from_files(cls, backbone_path: str, linear_path: str, backbone: str = "alex") -> "Lpips":
        model = cls(backbone)
        model.load_weights(_load_state(backbone_path), _load_state(linear_path))
        return model

    def load_weights(self, backbone_state: dict, linear_state: dict) -> None:
        features = {k[len("features."):]: v for k, v in backbone_state.items() if k.startswith("features.")}
        _strict_load(self.features, features, "backbone")
        lins = {}
        for k in range(len(self.lins)):
            key = f"lin{k}.model.1.weight"
            if key not in linear_state:
                raise LpipsWeightsError(f"LPIPS linear weights lack {key} (expected LPIPS v0.1 {self.backbone_name}.pth)")
            lins[f"{k}.weight"] = linear_state[key]
        _strict_load(self.lins, lins, "linear heads")

    def _activations(self, images: torch.Tensor) -> List[torch.Tensor]:
        out, x = [], (images - self.shift) / self.scale
        for index, layer in enumerate(self.features):
            x = layer(x)
            if index in self.taps:
                out.append(x)
            if index >= self.taps[-1]:
                break
        return out

    def forward(self, images_a: torch.Tensor, images_b: torch.Tensor) -> torch.Tensor:
        """Per-image distance for two batches N x 3 x H x W in [-1, 1]."""
        total = torch.zeros(images_a.shape[0], dtype=images_a.dtype, device=images_a.device)
        for lin, fa, fb in zip(self.lins, self._activations(images_a), self._activations(images_b)):
            na = fa / (fa.pow(2).sum(dim=1, keepdim=True).sqrt() + NORMALISE_EPS)
            nb = fb / (fb.pow(2).sum(dim=1, keepdim=True).sqrt() + NORMALISE_EPS)
            total = total + lin((na - nb) ** 2).mean(dim=(1, 2, 3))
        return total

    @torch.no_grad()
    def distance(self, a: np.ndarray, b: np.ndarray) -> float:
        """LPIPS between two H x W x 3 images in [0, 1] (numpy), the metrics' common input format."""
        ta, tb = (torch.from_numpy(np.asarray(x, dtype=np.float32)).permute(2, 0, 1)[None] * 2 - 1 for x in (a, b))
        if ta.shape != tb.shape:
            raise ValueError(f"images differ in shape: {tuple(ta.shape)} vs {tuple(tb.shape)}")
        return float(self(ta, tb)[0])


def _load_state(path: str) -> dict:
    try:
        state = torch.load(path, map_location="cpu")
    except FileNotFoundError as err:
        raise LpipsWeightsError(f"LPIPS weights file not found: {path}") from err
    except Exception as err:  # torch raises several types for a corrupt pickle/zip
        raise LpipsWeightsError(f"cannot read LPIPS weights {path}: {err}") from err
    if not isinstance(state, dict):
        raise LpipsWeightsError(f"{path} does not hold a state dict")
    return state


def _strict_load(module: nn.Module, state: dict, what: str) -> None:
    expected = module.state_dict()
    missing = sorted(set(expected) - set(state))
    if missing:
        raise LpipsWeightsError(f"{what} weights lack {', '.join(missing[:4])}{' ...' if len(missing) > 4 else ''}")
    for key, tensor in expected.items():
        if tuple(state[key].shape) != tuple(tensor.shape):
            raise LpipsWeightsError(f"{what} weight {key} has shape {tuple(state[key].shape)}, expected {tuple(tensor.shape)}")
    module.load_state_dict({k: state[k] for k in expected}, strict=True)
