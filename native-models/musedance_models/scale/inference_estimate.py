"""What running a pack needs (issue 20): weights of the six graphs as ONNX Runtime holds them, the activations of
one UNet run (CFG batch 2), and its FLOPs, for any config and size, without allocating the model.

Method (also in the `method` string the manifest stores):
- weights: parameters of each graph x 4 bytes (fp32 graphs; the VAE split into its encoder and decoder halves);
- activations: the UNet forward traced on PyTorch's meta device. ONNX Runtime's CPU attention materialises every
  softmax(Q K^T) matrix (no fused kernel for this graph), so the largest one counts in full; plus 4x the largest
  tensor any layer outputs (its input, output, residual and one temporary), plus the skip connections the UNet
  keeps from its down path to its up path. The ReferenceNet and the VAE decoder run one image at a time and
  stay below that;
- FLOPs: convolutions, linear layers and attention matmuls of one UNet run (2 x multiply-adds).
Seconds per segment are left to the engine (it knows its device): unetFlops x steps / achieved FLOP/s."""
import contextlib
from dataclasses import asdict, dataclass

import torch
from torch import nn

from ..config import MuseDanceConfig
from ..weights_import.meta_init import build_on_meta

GIB = 1024 ** 3
METHOD = ("weights: fp32 parameters of the six graphs; activations: meta-device trace of one UNet run (CFG batch 2): "
          "largest attention score matrix + 4x the largest layer output + down-path skip tensors; flops: conv/linear/"
          "attention matmuls of one UNet run")


@dataclass
class InferenceEstimate:
    height: int
    width: int
    frames: int
    motion_frames: int
    parameters: int
    graph_parameters: dict
    weights_bytes: int
    activation_bytes: int
    peak_bytes: int
    unet_flops: int
    method: str = METHOD

    def summary(self) -> str:
        return (f"{self.parameters / 1e9:.2f} B parameters; running it at {self.height}x{self.width}, K={self.frames} "
                f"needs ~{self.peak_bytes / GIB:.1f} GiB (weights {self.weights_bytes / GIB:.1f} GiB fp32, one UNet run "
                f"{self.activation_bytes / GIB:.1f} GiB), {self.unet_flops / 1e12:.2f} TFLOP per UNet run")

    def as_json(self) -> dict:
        return {"height": self.height, "width": self.width, "frames": self.frames, "motionFrames": self.motion_frames,
                "parameters": self.parameters, "graphParameters": self.graph_parameters,
                "weightsBytes": self.weights_bytes, "activationBytes": self.activation_bytes,
                "peakBytes": self.peak_bytes, "unetFlops": self.unet_flops, "method": self.method,
                "summary": self.summary()}


def graph_parameters(cfg: MuseDanceConfig) -> dict:
    from ..models.audio_encoder import AstAudioEncoder
    from ..models.reference_net import ReferenceNet
    from ..models.text_encoder import ClipTextEncoder
    from ..models.unet import UNet
    from ..models.vae import AutoencoderKL

    count = lambda m: sum(p.numel() for p in m.parameters()) + sum(b.numel() for b in m.buffers())
    vae = build_on_meta(lambda: AutoencoderKL(cfg.vae))
    enc = sum(p.numel() for n, p in vae.named_parameters() if n.startswith(("encoder.", "quant_conv.")))
    with torch.random.fork_rng(devices=[]):
        return {"text_encoder": count(build_on_meta(lambda: ClipTextEncoder(cfg.text))),
                "audio_encoder": count(build_on_meta(lambda: AstAudioEncoder(cfg.audio))),
                "vae_encoder": enc, "vae_decoder": count(vae) - enc,
                "reference_net": count(build_on_meta(lambda: ReferenceNet(cfg))),
                "unet": count(build_on_meta(lambda: UNet(cfg)))}


@contextlib.contextmanager
def _traced_attention(record):
    from ..models import attention as attention_module

    original = attention_module.attention
    original_repeat = torch.Tensor.repeat_interleave

    def meta_attention(q, k, v, bias=None):
        b, h, nq, d = q.shape
        nk = k.shape[-2]
        record["flops"] += 4 * b * h * nq * nk * d
        record["scores"] = max(record["scores"], b * h * nq * nk * 4)
        return q.new_empty(q.shape[:-1] + (v.shape[-1],))

    def repeat_interleave(self, repeats, dim=None, output_size=None):
        if self.is_meta and isinstance(repeats, int) and dim is not None and output_size is None:
            output_size = self.shape[dim] * repeats
        return original_repeat(self, repeats, dim=dim, output_size=output_size)

    attention_module.attention = meta_attention
    torch.Tensor.repeat_interleave = repeat_interleave
    try:
        yield
    finally:
        attention_module.attention = original
        torch.Tensor.repeat_interleave = original_repeat


def estimate_inference(cfg: MuseDanceConfig) -> InferenceEstimate:
    from ..models.unet import UNet

    params = graph_parameters(cfg)
    record = {"flops": 0, "scores": 0, "largest": 0}
    with torch.random.fork_rng(devices=[]):
        unet = build_on_meta(lambda: UNet(cfg)).eval()

    def hook(module, inputs, output):
        if torch.is_tensor(output):
            record["largest"] = max(record["largest"], output.numel() * 4)
        if isinstance(module, nn.Conv2d):
            per_output = module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
            record["flops"] += 2 * output.numel() * per_output
        elif isinstance(module, nn.Linear):
            record["flops"] += 2 * output.numel() * module.in_features

    handles = [m.register_forward_hook(hook) for m in unet.modules()]
    b, k, m, c = 2, cfg.frames_per_segment, cfg.motion_frames, cfg.vae.latent_channels
    h, w = cfg.latent_hw
    meta = dict(device="meta")
    refs = _reference_shapes(cfg)
    try:
        with _traced_attention(record), torch.no_grad():
            unet(torch.empty(b, k, c, h, w, **meta), torch.empty(1, **meta),
                 torch.empty(b, cfg.text.max_length, cfg.text.hidden_size, **meta),
                 [torch.empty(s, **meta) for s in refs],
                 torch.empty(b, cfg.audio.num_tokens, cfg.audio.hidden_size, **meta), torch.empty(b, k, **meta),
                 torch.empty(b, m, c, h, w, **meta))
    finally:
        for handle in handles:
            handle.remove()
    skips, hh, ww = 0, h, w
    for i, ch in enumerate(cfg.unet.block_out_channels):
        per_level = cfg.unet.layers_per_block + (1 if i < len(cfg.unet.block_out_channels) - 1 else 0)
        skips += per_level * b * (k + m) * ch * hh * ww * 4
        hh, ww = (hh + 1) // 2, (ww + 1) // 2
    activations = record["scores"] + 4 * record["largest"] + skips
    weights = sum(params.values()) * 4
    return InferenceEstimate(cfg.height, cfg.width, k, m, sum(params.values()), params, weights, activations,
                             weights + activations, int(record["flops"]))


def _reference_shapes(cfg: MuseDanceConfig):
    """Shapes of the ReferenceNet's features: one per spatial self-attention (+ the reference latent)."""
    from ..models.reference_net import ReferenceNet

    with torch.random.fork_rng(devices=[]):
        refnet = build_on_meta(lambda: ReferenceNet(cfg)).eval()
    h, w = cfg.latent_hw
    with _traced_attention({"flops": 0, "scores": 0}), torch.no_grad():
        feats = refnet(torch.empty(1, cfg.vae.latent_channels, h, w, device="meta"),
                       torch.empty(1, cfg.text.max_length, cfg.text.hidden_size, device="meta"))
    return [tuple(f.shape) for f in feats]


def as_dict(estimate: InferenceEstimate) -> dict:
    return asdict(estimate)
