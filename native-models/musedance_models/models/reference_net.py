"""ReferenceNet (paper 3.2, as in Animate Anyone): a UNet with the same layers as the denoising UNet (no
stage-2 modules) run once on the clean reference latent at timestep 0 with the text; the features entering
each of its spatial self-attentions are what the denoiser concatenates along W (plus, with
`UNetConfig.reference_guide`, the reference latent as a last (B, h*w, C) feature)."""
from typing import List

import torch
from torch import nn

from ..config import MuseDanceConfig
from .unet import FrameContext, UNet
from .unet_blocks import ReferenceContext


class ReferenceNet(nn.Module):
    def __init__(self, cfg: MuseDanceConfig):
        super().__init__()
        self.unet = UNet(cfg, with_stage2=False)

    def forward(self, ref_latents: torch.Tensor, text_embeds: torch.Tensor) -> List[torch.Tensor]:
        """ref_latents (B, C, h, w) scaled; text_embeds (B, 77, D) -> list of (B, h_i*w_i, ch_i)."""
        b = ref_latents.shape[0]
        temb = self.unet.time_embed(torch.zeros(b, device=ref_latents.device))
        ref = ReferenceContext("write")
        n = self.unet.num_reference_layers()
        self.unet.run(self.unet.conv_in(ref_latents), temb, text_embeds, ref, FrameContext(b, 1, 0, stage2=False),
                      stop_after_refs=n)
        if self.unet.cfg.unet.reference_guide:   # UNetConfig.reference_guide: the latent itself, as tokens
            return ref.feats + [ref_latents.flatten(2).transpose(1, 2)]
        return ref.feats
