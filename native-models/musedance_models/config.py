"""Architecture configs. Every field says what it is and, where the paper gives one, the paper's value."""
from dataclasses import asdict, dataclass, field
from typing import Optional, Tuple


@dataclass
class VaeConfig:
    block_out_channels: Tuple[int, ...] = (128, 256, 512, 512)  # encoder widths per level (SD1.5)
    layers_per_block: int = 2            # resnets per encoder level (decoder uses one more, as SD1.5)
    latent_channels: int = 4             # C of the latent (SD1.5: 4)
    norm_groups: int = 32                # GroupNorm groups (SD1.5: 32)
    scaling_factor: float = 0.18215      # latent scale so latents have ~unit variance (SD1.5: 0.18215)

    @property
    def downsample(self) -> int:         # 2 ** (levels - 1): SD1.5 -> 8
        return 2 ** (len(self.block_out_channels) - 1)


@dataclass
class TextConfig:
    vocab_size: int = 49408              # CLIP BPE vocabulary (SD1.5's CLIP ViT-L/14: 49408)
    max_length: int = 77                 # CLIP context length (77)
    hidden_size: int = 768               # CLIP ViT-L/14 text width
    num_layers: int = 12
    num_heads: int = 12
    intermediate_size: int = 3072


@dataclass
class AudioConfig:
    num_mel_bins: int = 128              # AST: Kaldi fbank with 128 mel bins
    fbank_frames: int = 1024             # AST input length (10.24 s at 10 ms hop); segments are zero-padded to it
    patch_size: int = 16                 # AST: 16x16 patches
    patch_stride: int = 10               # AST: stride 10 in time and frequency (overlapping patches)
    hidden_size: int = 768               # AST base width
    num_layers: int = 12
    num_heads: int = 12
    intermediate_size: int = 3072
    norm_mean: float = -4.2677393        # AST AudioSet fbank normalisation
    norm_std: float = 4.5689974

    @property
    def num_tokens(self) -> int:         # CLS + distillation token + patches
        f = (self.num_mel_bins - self.patch_size) // self.patch_stride + 1
        t = (self.fbank_frames - self.patch_size) // self.patch_stride + 1
        return 2 + f * t


@dataclass
class UNetConfig:
    block_out_channels: Tuple[int, ...] = (320, 640, 1280, 1280)  # SD1.5 UNet widths
    attention_levels: Tuple[bool, ...] = (True, True, True, False)  # SD1.5: CrossAttnDownBlock x3 + DownBlock
    layers_per_block: int = 2            # SD1.5: 2 resnets per down level, 3 per up level
    attention_head_dim: int = 8          # SD1.5 uses 8 HEADS (diffusers' misnamed field); we use it as heads
    norm_groups: int = 32
    cross_attention_dim: int = 768       # text width seen by cross-attention (CLIP ViT-L/14: 768)
    guide_channels: int = 0              # D of the stage-1 guide Conv(D) (paper: DensePose); 0 = no guide input
    # Eq. 1's residual guide fed with the reference latent itself (DensePose cannot run in the studio; the
    # reference latent always exists): a zero-initialised conv of it is added to every frame after conv_in, so
    # the denoiser sees the reference's layout at its own pixel positions. The ReferenceNet hands it over as its
    # last feature, so engines pass it through like the others.
    reference_guide: bool = False
    # stage-2 modules (paper 3.3); each can be removed for the Table-3 ablation
    use_music: bool = True               # music understanding module: cross-attn to AST tokens + temporal attn
    use_beat: bool = True                # beat alignment module: one-hot -> embedding -> cross-attn + temporal attn
    use_motion: bool = True              # motion alignment module: temporal self-attn over previous M + current K
    stage2_heads: int = 8                # heads of the stage-2 attention layers
    stage2_dropout: float = 0.05         # paper 4.2: dropout 0.05
    max_frames: int = 64                 # length of the sinusoidal frame-position table (>= M + K)
    # Sliding-window attention along the frame axis (None: every frame sees all M + K). Stage 2 trains on windows
    # shorter than K; with a window the K-frame segment at inference looks locally like a training window.
    temporal_window: Optional[int] = None    # temporal self-attention: frames at most this far apart (+M in motion)
    beat_window: Optional[int] = None        # beat cross-attention: frame k reads beat tokens k-w .. k+w
    beat_offsets: Optional[int] = None       # beat token k also encodes which frames k-w .. k+w are beats
    # Layout of the motion module's weights: "musedance" (one LayerNorm + temporal self-attention, the tiny pack's)
    # or "animatediff" (AnimateDiff's TemporalTransformer3DModel: GroupNorm, proj_in, two temporal self-attentions
    # with their own LayerNorms and position tables, GEGLU feed-forward, proj_out), so AnimateDiff /
    # Moore-AnimateAnyone motion modules load into it (weights_import/motion_modules.py).
    motion_layout: str = "musedance"


@dataclass
class MuseDanceConfig:
    name: str = "sd15"
    height: int = 640                    # paper 4.2: 640 x 640
    width: int = 640
    fps: float = 12.0                    # paper 4.2: 12 fps
    frames_per_segment: int = 48         # K: frames generated per segment (paper: 4 s at 12 fps)
    motion_frames: int = 2               # M: previous frames the motion module attends to (paper: 2)
    sample_rate_hz: int = 16000          # paper 4.2: 16 kHz mono music
    vae: VaeConfig = field(default_factory=VaeConfig)
    text: TextConfig = field(default_factory=TextConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    unet: UNetConfig = field(default_factory=UNetConfig)
    num_train_timesteps: int = 1000      # DDPM training steps (SD1.5: 1000, scaled_linear 0.00085..0.012)
    beta_start: float = 0.00085
    beta_end: float = 0.012

    @property
    def latent_hw(self) -> Tuple[int, int]:
        return self.height // self.vae.downsample, self.width // self.vae.downsample

    @property
    def segment_samples(self) -> int:    # audio samples per segment: K / fps seconds at 16 kHz
        return int(round(self.frames_per_segment / self.fps * self.sample_rate_hz))

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict) -> "MuseDanceConfig":
        d = dict(d)
        tup = lambda sub: {k: tuple(v) if isinstance(v, list) else v for k, v in sub.items()}
        return MuseDanceConfig(
            **{k: v for k, v in d.items() if k not in ("vae", "text", "audio", "unet")},
            vae=VaeConfig(**tup(d["vae"])), text=TextConfig(**tup(d["text"])),
            audio=AudioConfig(**tup(d["audio"])), unet=UNetConfig(**tup(d["unet"])))


# sd15 defaults taken from the tiny pack's results (RESULTS.md): the reference guide kept the subject (round 6:
# PSNR +1.2 dB, SSIM to the reference 0.611 -> 0.644), and 4-frame temporal / beat windows make a 48-frame segment
# look locally like the 8-frame windows stage 2 trains on (round 3). Pass reference_guide=False /
# temporal_window=None / beat_window=None for the paper's plain layout.
SD15_REFERENCE_GUIDE = True
SD15_TEMPORAL_WINDOW = 4
SD15_BEAT_WINDOW = 4


def sd15(reference_guide: bool = SD15_REFERENCE_GUIDE, temporal_window: Optional[int] = SD15_TEMPORAL_WINDOW,
         beat_window: Optional[int] = SD15_BEAT_WINDOW) -> MuseDanceConfig:
    """The paper's model: SD1.5 UNet/VAE/CLIP widths, AST base, 640x640, 12 fps, K=48, M=2; with the tiny pack's
    reference guide and sliding-window frame attention by default (options, see SD15_* above)."""
    cfg = MuseDanceConfig()
    cfg.unet.reference_guide = reference_guide
    cfg.unet.temporal_window = temporal_window
    cfg.unet.beat_window = beat_window
    return cfg


def tiny() -> MuseDanceConfig:
    """Trainable from scratch on 2 (shared) CPU cores in about an hour; one K=48 segment samples in a few seconds
    with ONNX Runtime on CPU (CFG batch 2, 20 DDIM steps). 64x64 pixels, 8x VAE with 8 latent channels
    (8x8x8 latents: 4x fewer UNet tokens than a 4x VAE, the difference between trainable and not here)."""
    return MuseDanceConfig(
        name="tiny", height=64, width=64, fps=12.0, frames_per_segment=48, motion_frames=2,
        vae=VaeConfig(block_out_channels=(16, 32, 64, 64), layers_per_block=1, latent_channels=8, norm_groups=8,
                      scaling_factor=1.0),  # scaling_factor is re-measured after the VAE is trained
        text=TextConfig(vocab_size=1024, max_length=77, hidden_size=64, num_layers=2, num_heads=2,
                        intermediate_size=256),
        audio=AudioConfig(fbank_frames=400, hidden_size=64, num_layers=2, num_heads=2, intermediate_size=256),
        unet=UNetConfig(block_out_channels=(32, 64), attention_levels=(True, True), layers_per_block=1,
                        attention_head_dim=2, norm_groups=8, cross_attention_dim=64, stage2_heads=2,
                        max_frames=64),
    )


CONFIGS = {"sd15": sd15, "tiny": tiny}
