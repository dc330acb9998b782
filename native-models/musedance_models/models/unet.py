"""Denoising UNet (SD1.5 layout, diffusers names) over K frames, with ReferenceNet features in every spatial
self-attention, text cross-attention, and the stage-2 music / beat / motion modules after every resnet+attn
layer of the attention levels and the mid block (AnimateDiff places them at every level; the levels without
spatial attention are left out here to keep CPU cost down). The same class without stage-2 modules is the ReferenceNet backbone.

Frame layout: an item is the M previous frames followed by the K current frames; all of them go through the
per-frame (spatial) layers, the previous ones as clean latents at timestep 0; the music and beat modules see
the K current frames only; the motion module attends over M+K and keeps the last K (paper 3.3)."""
from typing import List, Optional

import torch
import torch.nn.functional as F
from torch import nn

from ..config import MuseDanceConfig
from .attention import timestep_embedding
from .beat_module import BeatModule
from .motion_module import motion_module
from .music_module import MusicModule
from .unet_blocks import Downsample2D, ReferenceContext, ResnetBlock2D, Transformer2DModel, Upsample2D


class Stage2Modules(nn.Module):
    """The stage-2 modules at one UNet layer; any of them may be absent (ablation)."""

    def __init__(self, ch: int, cfg: MuseDanceConfig):
        super().__init__()
        u = cfg.unet
        args = dict(heads=u.stage2_heads, dropout=u.stage2_dropout, max_frames=u.max_frames)
        tw = u.temporal_window
        self.music = MusicModule(ch, cfg.audio.hidden_size, window=tw, **args) if u.use_music else None
        self.beat = (BeatModule(ch, window=tw, beat_window=u.beat_window, beat_offsets=u.beat_offsets, **args)
                     if u.use_beat else None)
        # the motion sequence is M previous + K current frames: the first current frame still sees all M
        self.motion = (motion_module(u.motion_layout, ch, groups=u.norm_groups,
                                     window=None if tw is None else tw + cfg.motion_frames, **args)
                       if u.use_motion else None)

    def forward(self, x, ctx: "FrameContext"):
        b, m = ctx.batch, ctx.motion_frames
        c, h, w = x.shape[1:]
        x5 = x.reshape(b, ctx.frames, c, h, w)
        prev, cur = x5[:, :m].reshape(b * m, c, h, w), x5[:, m:].reshape(b * (ctx.frames - m), c, h, w)
        if self.music is not None:
            cur = self.music(cur, b, ctx.music_tokens, ctx.offset + m)
        if self.beat is not None:
            cur = self.beat(cur, b, ctx.beat_onehot, ctx.offset + m)
        if self.motion is not None and m > 0:
            cur = self.motion(prev, cur, b, ctx.offset)
        if m == 0:
            return cur
        return torch.cat([prev.reshape(b, m, c, h, w), cur.reshape(b, -1, c, h, w)], dim=1).reshape(-1, c, h, w)


class FrameContext:
    """Per-forward frame bookkeeping: items in the batch, frames per item (M + K), M, the stage-2 conditions,
    and the position of the first (motion) frame in the positional tables (0 at inference)."""

    def __init__(self, batch, frames, motion_frames, music_tokens=None, beat_onehot=None, stage2=True, offset=0):
        self.batch, self.frames, self.motion_frames, self.offset = batch, frames, motion_frames, offset
        self.music_tokens, self.beat_onehot, self.stage2 = music_tokens, beat_onehot, stage2


class UNetLevel(nn.Module):
    """One down or up level: `resnets[i]` then `attentions[i]` (if any) then stage-2 modules[i] (if any)."""

    def __init__(self, cins, cout, temb, attn, cfg: MuseDanceConfig, stage2: bool, sampler: Optional[nn.Module]):
        super().__init__()
        u = cfg.unet
        self.resnets = nn.ModuleList([ResnetBlock2D(ci, cout, temb, u.norm_groups) for ci in cins])
        self.attentions = nn.ModuleList([
            Transformer2DModel(cout, u.attention_head_dim, u.cross_attention_dim, u.norm_groups) for _ in cins
        ]) if attn else None
        self.stage2 = nn.ModuleList([Stage2Modules(cout, cfg) for _ in cins]) if stage2 else None
        self.sampler = sampler


class UNet(nn.Module):
    def __init__(self, cfg: MuseDanceConfig, with_stage2: bool = True):
        super().__init__()
        self.cfg = cfg
        u = cfg.unet
        ch = u.block_out_channels
        c_lat = cfg.vae.latent_channels
        temb = ch[0] * 4
        self.conv_in = nn.Conv2d(c_lat, ch[0], 3, padding=1)
        self.time_embedding = nn.ModuleDict({"linear_1": nn.Linear(ch[0], temb), "linear_2": nn.Linear(temb, temb)})
        # Paper Eq. 1: z0 = E(I) + Conv(D). Zero-initialised and bias-free: exactly zero when no guide is given.
        self.guide_conv = None
        if u.guide_channels > 0:
            self.guide_conv = nn.Conv2d(u.guide_channels, c_lat, 3, padding=1, bias=False)
            nn.init.zeros_(self.guide_conv.weight)
        # UNetConfig.reference_guide: the denoiser's (not the ReferenceNet's) reference-latent guide, after conv_in
        # (= conv_in over [latent, reference] channels), zero-initialised so it starts as no guide at all
        self.reference_guide_conv = None
        if u.reference_guide and with_stage2:
            self.reference_guide_conv = nn.Conv2d(c_lat, ch[0], 3, padding=1, bias=False)
            nn.init.zeros_(self.reference_guide_conv.weight)
        s2 = with_stage2 and (u.use_music or u.use_beat or u.use_motion)
        n = len(ch)
        self.down_blocks = nn.ModuleList()
        for i in range(n):
            cins = [ch[max(i - 1, 0)] if j == 0 else ch[i] for j in range(u.layers_per_block)]
            cins[0] = ch[0] if i == 0 else ch[i - 1]
            sampler = Downsample2D(ch[i]) if i < n - 1 else None
            self.down_blocks.append(UNetLevel(cins, ch[i], temb, u.attention_levels[i], cfg, s2 and u.attention_levels[i],
                                              sampler))
        self.mid_block = nn.Module()
        self.mid_block.resnets = nn.ModuleList([ResnetBlock2D(ch[-1], ch[-1], temb, u.norm_groups) for _ in range(2)])
        self.mid_block.attentions = nn.ModuleList([
            Transformer2DModel(ch[-1], u.attention_head_dim, u.cross_attention_dim, u.norm_groups)])
        self.mid_block.stage2 = nn.ModuleList([Stage2Modules(ch[-1], cfg)]) if s2 else None
        self.up_blocks = nn.ModuleList()
        rch = list(reversed(ch))
        rattn = list(reversed(u.attention_levels))
        for i in range(n):
            prev_out = rch[max(i - 1, 0)]
            skip_in = rch[min(i + 1, n - 1)]
            cins = []
            for j in range(u.layers_per_block + 1):
                res_in = skip_in if j == u.layers_per_block else rch[i]
                cins.append((prev_out if j == 0 else rch[i]) + res_in)
            sampler = Upsample2D(rch[i]) if i < n - 1 else None
            self.up_blocks.append(UNetLevel(cins, rch[i], temb, rattn[i], cfg, s2 and rattn[i], sampler))
        self.conv_norm_out = nn.GroupNorm(u.norm_groups, ch[0], eps=1e-5)
        self.conv_out = nn.Conv2d(ch[0], c_lat, 3, padding=1)

    # -- helpers -------------------------------------------------------------------------------------------
    def _layer(self, level, j, x, temb, text, ref, ctx):
        x = level.resnets[j](x, temb)
        if level.attentions is not None:
            x = level.attentions[j](x, text, ref, ctx.frames)
        if level.stage2 is not None and ctx.stage2:
            x = level.stage2[j](x, ctx)
        return x

    def run(self, x, temb, text, ref: Optional[ReferenceContext], ctx: FrameContext, stop_after_refs: int = 0):
        """Shared trunk. x: (B*T, C, h, w) already through conv_in. Returns the pre-conv_norm_out features."""
        skips = [x]
        for level in self.down_blocks:
            for j in range(len(level.resnets)):
                x = self._layer(level, j, x, temb, text, ref, ctx)
                skips.append(x)
            if level.sampler is not None:
                x = level.sampler(x)
                skips.append(x)
        mb = self.mid_block
        x = mb.resnets[0](x, temb)
        x = mb.attentions[0](x, text, ref, ctx.frames)
        if mb.stage2 is not None and ctx.stage2:
            x = mb.stage2[0](x, ctx)
        x = mb.resnets[1](x, temb)
        for level in self.up_blocks:
            for j in range(len(level.resnets)):
                x = torch.cat([x, skips.pop()], dim=1)
                x = self._layer(level, j, x, temb, text, ref, ctx)
                if stop_after_refs and ref is not None and len(ref.feats) >= stop_after_refs:
                    return x
            if level.sampler is not None:
                x = level.sampler(x)
        return x

    def time_embed(self, timesteps):
        e = timestep_embedding(timesteps, self.conv_in.out_channels)
        return self.time_embedding["linear_2"](F.silu(self.time_embedding["linear_1"](e)))

    def num_reference_layers(self) -> int:
        n = sum(len(l.attentions) for l in list(self.down_blocks) + list(self.up_blocks) if l.attentions is not None)
        return n + 1

    # -- the denoiser ----------------------------------------------------------------------------------------
    def forward(self, latents, timestep, text_embeds, ref_feats: List[torch.Tensor], music_tokens=None,
                beat_onehot=None, motion_latents=None, guide=None, stage2: bool = True, frame_offset: int = 0):
        """latents (B, K, C, h, w) noisy; timestep (B,) or (1,); text_embeds (B, 77, D);
        ref_feats: ReferenceNet features, each (1 or B, tokens, ch); music_tokens (B, L, Da); beat_onehot (B, K);
        motion_latents (B, M, C, h, w) clean (or None: M = 0); guide (B, K, D, h, w) or None.
        frame_offset: training on K' < K frames places them at positions offset.. of the segment (0 at inference).
        Returns the predicted noise (B, K, C, h, w)."""
        b, k, c, h, w = latents.shape
        use_motion = stage2 and motion_latents is not None and self.cfg.unet.use_motion
        m = motion_latents.shape[1] if use_motion else 0
        x = latents
        if guide is not None and self.guide_conv is not None:
            x = x + self.guide_conv(guide.reshape(b * k, -1, h, w)).reshape(b, k, c, h, w)
        if m:
            x = torch.cat([motion_latents, x], dim=1)
        t = m + k
        x = x.reshape(b * t, c, h, w)
        ts = timestep.float().reshape(-1).expand(b) if timestep.numel() in (1, b) else timestep.float()
        per_frame = ts[:, None].expand(b, t)
        if m:
            per_frame = torch.cat([torch.zeros_like(per_frame[:, :m]), per_frame[:, m:]], dim=1)
        temb = self.time_embed(per_frame.reshape(-1))
        text = text_embeds.repeat_interleave(t, dim=0)
        ctx = FrameContext(b, t, m, music_tokens, beat_onehot, stage2, frame_offset)
        ref_feats = list(ref_feats)
        x = self.conv_in(x)
        if self.reference_guide_conv is not None:
            g = ref_feats.pop()                                       # (1 or B, h*w, C): ReferenceNet's last
            g = self.reference_guide_conv(g.transpose(1, 2).reshape(g.shape[0], c, h, w))
            x = (x.reshape(b, t, -1, h, w) + g[:, None]).reshape(b * t, -1, h, w)
        ref = ReferenceContext("read", ref_feats)
        x = self.run(x, temb, text, ref, ctx)
        out = self.conv_out(F.silu(self.conv_norm_out(x)))
        return out.reshape(b, t, c, h, w)[:, m:]
