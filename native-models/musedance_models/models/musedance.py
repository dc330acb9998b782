"""The whole MuseDance model: VAE, text encoder, audio encoder, ReferenceNet, denoising UNet, built from one
config. Parameter groups say what each training stage trains (paper 3.2 / 3.3)."""
from typing import Dict, Iterator

from torch import nn

from ..config import MuseDanceConfig
from .audio_encoder import AstAudioEncoder
from .reference_net import ReferenceNet
from .text_encoder import ClipTextEncoder
from .unet import UNet
from .vae import AutoencoderKL

PARTS = ("vae", "text_encoder", "audio_encoder", "reference_net", "unet")


class MuseDance(nn.Module):
    def __init__(self, cfg: MuseDanceConfig):
        super().__init__()
        self.cfg = cfg
        self.vae = AutoencoderKL(cfg.vae)
        self.text_encoder = ClipTextEncoder(cfg.text)
        self.audio_encoder = AstAudioEncoder(cfg.audio)
        self.reference_net = ReferenceNet(cfg)
        self.unet = UNet(cfg)

    def stage2_parameters(self) -> Iterator[nn.Parameter]:
        """Music, beat and motion modules: the only UNet weights stage 2 trains (spatial layers stay frozen)."""
        return (p for n, p in self.unet.named_parameters() if ".stage2." in n)

    def state_dicts(self) -> Dict[str, dict]:
        return {name: getattr(self, name).state_dict() for name in PARTS}

    def load_state_dicts(self, sds: Dict[str, dict], strict: bool = True) -> None:
        for name in PARTS:
            if name in sds:
                sd = {k: v.float() for k, v in sds[name].items()}
                if name == "unet" and not strict:
                    own = self.unet.state_dict()
                    sd = {k: v for k, v in sd.items() if k in own}
                    # stage-2 modules and guide convs start at zero (identity), so a checkpoint may lack them
                    missing = [k for k in own if k not in sd and ".stage2." not in k and "guide_conv" not in k]
                    if missing:
                        raise KeyError(f"unet weights miss {missing[:5]}")
                    getattr(self, name).load_state_dict(sd, strict=False)
                else:
                    getattr(self, name).load_state_dict(sd)
