"""MuseDance modules: shapes for `tiny`, SD1.5-width blocks at small resolution, the ReferenceNet W-concat
attention, the stage-2 modules' behaviour, schedulers, beat rule and audio features."""
import math

import numpy as np
import pytest
import torch

from musedance_models.audio_features import fbank_features, segment_audio
from musedance_models.beats import beat_frame, beat_onehot
from musedance_models.config import MuseDanceConfig, sd15, tiny
from musedance_models.models.attention import Attention
from musedance_models.models.audio_encoder import AstAudioEncoder, AstLayer
from musedance_models.models.beat_module import BeatModule
from musedance_models.models.motion_module import MotionModule
from musedance_models.models.music_module import MusicModule
from musedance_models.models.musedance import MuseDance
from musedance_models.models.text_encoder import ClipLayer
from musedance_models.models.unet_blocks import BasicTransformerBlock, ReferenceContext, ResnetBlock2D, Transformer2DModel
from musedance_models.schedulers import DDIMScheduler, DDPMScheduler

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def tiny_model():
    torch.manual_seed(0)
    return MuseDance(tiny()).eval()


def test_tiny_every_module_has_the_documented_shapes(tiny_model):
    m, cfg = tiny_model, tiny_model.cfg
    C, (h, w), K, M = cfg.vae.latent_channels, cfg.latent_hw, cfg.frames_per_segment, cfg.motion_frames
    with torch.no_grad():
        img = torch.rand(1, 3, cfg.height, cfg.width) * 2 - 1
        lat = m.vae.encode_scaled(img)
        assert lat.shape == (1, C, h, w) == (1, 8, 8, 8)
        assert m.vae.decode_scaled(lat).shape == img.shape
        text = m.text_encoder(torch.zeros(1, 77, dtype=torch.long))
        assert text.shape == (1, 77, cfg.text.hidden_size)
        music = m.audio_encoder(torch.zeros(1, cfg.audio.fbank_frames, 128))
        assert music.shape == (1, cfg.audio.num_tokens, cfg.audio.hidden_size) and cfg.audio.num_tokens == 2 + 12 * 39
        feats = m.reference_net(lat, text)
        assert len(feats) == m.unet.num_reference_layers()
        assert [f.shape[-1] for f in feats] == [32, 64, 64, 64, 64, 32, 32]
        out = m.unet(torch.randn(2, K, C, h, w), torch.tensor([10.0]), text.repeat(2, 1, 1), feats,
                     music.repeat(2, 1, 1), torch.zeros(2, K), torch.randn(2, M, C, h, w))
    assert out.shape == (2, K, C, h, w)


def test_sd15_config_keeps_the_paper_values():
    c = sd15()
    assert (c.height, c.width, c.fps, c.frames_per_segment, c.motion_frames) == (640, 640, 12.0, 48, 2)
    assert c.unet.block_out_channels == (320, 640, 1280, 1280) and c.vae.downsample == 8
    assert c.latent_hw == (80, 80) and c.segment_samples == 64000 and c.audio.num_tokens == 1214
    assert MuseDanceConfig.from_dict(c.to_dict()) == c


def test_sd15_width_blocks_run_at_64px_with_k4():
    """SD1.5 widths (320 ch, 8 heads, 768-d text, 768-d AST) on an 8x8 latent (64x64 image), K=4, M=2."""
    torch.manual_seed(0)
    c = sd15()
    b, k, m, ch, hw = 1, 4, 2, 320, 8
    x = torch.randn(b * (m + k), ch, hw, hw)
    temb = torch.randn(b * (m + k), 1280)
    assert ResnetBlock2D(ch, ch, 1280, 32)(x, temb).shape == x.shape
    tr = Transformer2DModel(ch, c.unet.attention_head_dim, 768, 32)
    ref = torch.randn(1, hw * hw, ch)
    y = tr(x, torch.randn(b * (m + k), 77, 768), ReferenceContext("read", [ref]), m + k)
    assert y.shape == x.shape
    cur = x[m:]
    assert MusicModule(ch, 768, 8, 0.05, 64)(cur, b, torch.randn(b, 1214, 768)).shape == cur.shape
    assert BeatModule(ch, 8, 0.05, 64)(cur, b, torch.zeros(b, k)).shape == cur.shape
    assert MotionModule(ch, 8, 0.05, 64)(x[:m], cur, b).shape == cur.shape
    assert ClipLayer(c.text)(torch.randn(1, 77, 768), torch.zeros(77, 77)).shape == (1, 77, 768)
    assert AstLayer(c.audio)(torch.randn(1, 20, 768)).shape == (1, 20, 768)


def test_reference_attention_equals_concat_along_width_then_first_half():
    """Paper 3.2: concat denoiser and ReferenceNet features along W, self-attend, keep the first half."""
    torch.manual_seed(0)
    blk = BasicTransformerBlock(32, 4, 16).eval()
    h, w, c = 4, 5, 32
    x = torch.randn(2, h * w, c)        # 2 frames of the same item
    ref = torch.randn(1, h * w, c)
    with torch.no_grad():
        n = blk.norm1(x)
        r = ref.expand(2, -1, -1)
        # literal: (B, H, 2W, C) spatial layout, flatten, full self-attention, take the left half
        cat = torch.cat([n.reshape(2, h, w, c), r.reshape(2, h, w, c)], dim=2).reshape(2, h * 2 * w, c)
        full = blk.attn1(cat).reshape(2, h, 2 * w, c)[:, :, :w].reshape(2, h * w, c)
        ours = blk.attn1(n, context=torch.cat([n, r], dim=1))
    assert torch.allclose(full, ours, atol=1e-5)
    with torch.no_grad():   # and the reference really is used
        assert not torch.allclose(blk.attn1(n), ours, atol=1e-3)


def _nonzero_outputs(module):
    for mod in module.modules():
        if isinstance(mod, Attention):
            torch.nn.init.normal_(mod.to_out[0].weight, std=0.2)


def test_motion_module_keeps_last_k_and_uses_previous_frames():
    torch.manual_seed(0)
    mm = MotionModule(16, 2, 0.0, 64).eval()
    prev, cur = torch.randn(2 * 2, 16, 3, 3), torch.randn(2 * 5, 16, 3, 3)
    with torch.no_grad():
        assert torch.equal(mm(prev, cur, 2), cur)          # zero-initialised output: identity at the start of stage 2
        _nonzero_outputs(mm)
        out = mm(prev, cur, 2)
        out2 = mm(prev + 1.0, cur, 2)
    assert out.shape == cur.shape
    assert not torch.allclose(out, out2)                     # the previous M frames steer the current K
    assert not torch.allclose(out, cur)


def test_beat_module_lookup_is_an_embedding_of_the_one_hot():
    bm = BeatModule(8, 2, 0.0, 64)
    onehot = torch.tensor([[0.0, 1.0, 0.0, 1.0]])
    dense = bm.dense(onehot) - bm.positions[:4]
    idx = onehot.long()
    assert torch.allclose(dense, bm.embedding(idx), atol=1e-6)


def test_music_module_output_depends_on_music_and_frame_position():
    torch.manual_seed(0)
    mu = MusicModule(16, 12, 2, 0.0, 64).eval()
    _nonzero_outputs(mu)
    x = torch.randn(3, 16, 2, 2)
    with torch.no_grad():
        a = mu(x, 1, torch.randn(1, 7, 12))
        b = mu(x, 1, torch.randn(1, 7, 12))
        c = mu(x, 1, torch.zeros(1, 7, 12), offset=0)
        d = mu(x, 1, torch.zeros(1, 7, 12), offset=5)
    assert not torch.allclose(a, b) and not torch.allclose(c, d)


def test_guide_conv_is_zero_without_a_guide_input():
    cfg = tiny()
    cfg.unet.guide_channels = 3
    torch.manual_seed(0)
    m = MuseDance(cfg).eval()
    C, (h, w) = cfg.vae.latent_channels, cfg.latent_hw
    with torch.no_grad():
        lat = torch.randn(1, C, h, w)
        text = torch.randn(1, 77, 64)
        feats = m.reference_net(lat, text)
        args = (torch.randn(1, 2, C, h, w), torch.tensor([5.0]), text, feats)
        a = m.unet(*args, stage2=False)
        b = m.unet(*args, stage2=False, guide=torch.randn(1, 2, 3, h, w))
    assert torch.equal(a, b)   # zero-initialised Conv(D): no effect until trained


def test_reference_guide_hands_the_latent_over_and_starts_as_no_guide():
    cfg = tiny()
    cfg.unet.reference_guide = True
    torch.manual_seed(0)
    m = MuseDance(cfg).eval()
    C, (h, w) = cfg.vae.latent_channels, cfg.latent_hw
    with torch.no_grad():
        lat, text = torch.randn(1, C, h, w), torch.randn(1, 77, 64)
        feats = m.reference_net(lat, text)
        assert len(feats) == m.unet.num_reference_layers() + 1
        assert torch.equal(feats[-1], lat.flatten(2).transpose(1, 2))      # (1, h*w, C): the latent itself
        x, ts = torch.randn(1, 2, C, h, w), torch.tensor([500.0])
        other = feats[:-1] + [torch.randn_like(feats[-1])]
        assert torch.equal(m.unet(x, ts, text, feats, stage2=False), m.unet(x, ts, text, other, stage2=False))
        torch.nn.init.normal_(m.unet.reference_guide_conv.weight, std=0.1)   # as if trained
        a, b = m.unet(x, ts, text, feats, stage2=False), m.unet(x, ts, text, other, stage2=False)
        # a guide pixel reaches the output near it first: change only the reference's top-left latent pixel
        corner = feats[:-1] + [feats[-1].clone()]
        corner[-1][0, 0] += 5.0
        c = m.unet(x, ts, text, corner, stage2=False)
    assert not torch.allclose(a, b, atol=1e-4)
    change = (c - a).abs().mean(dim=(0, 1, 2))                                # (h, w)
    assert change[0, 0] > change[-1, -1]


def test_ddim_matches_sd15_timesteps_and_inverts_its_own_noise():
    s = DDIMScheduler()
    s.set_timesteps(20)
    assert s.timesteps.tolist() == list(range(951, 0, -50))
    x0 = torch.randn(4, 8)
    noise = torch.randn(4, 8)
    t = int(s.timesteps[0])
    xt = DDPMScheduler().add_noise(x0, noise, torch.tensor([t]))
    # with the true noise as the model output, one DDIM step lands on the exact DDIM posterior mean
    a_t, a_p = s.alphas_cumprod[t], s.alphas_cumprod[t - s.ratio]
    expected = a_p.sqrt() * x0 + (1 - a_p).sqrt() * noise
    assert torch.allclose(s.step(noise, t, xt), expected, atol=1e-5)
    betas = DDPMScheduler().betas
    assert abs(float(betas[0]) - 0.00085) < 1e-7 and abs(float(betas[-1]) - 0.012) < 1e-6


def test_beat_rule_rounds_half_up_and_belongs_to_one_segment():
    fps = 12.0
    assert beat_frame(0.5 / 12, 0.0, fps) == 1           # exactly half a frame -> rounds up
    assert beat_frame(0.49 / 12, 0.0, fps) == 0
    assert beat_frame(4.0 - 0.5 / 12, 4.0, fps) == 0      # half a frame before a segment -> its frame 0
    oh = beat_onehot([0.0, 1.0, 3.99, 4.0], 0.0, fps, 48)
    assert oh.sum() == 2 and oh[0] == 1 and oh[12] == 1  # 3.99 s -> frame 48 (next segment), 4.0 s too
    assert beat_onehot([3.99, 4.0], 4.0, fps, 48)[0] == 1


def test_segment_audio_and_fbank_follow_pack_md():
    cfg = tiny().audio
    wave = np.sin(np.arange(30000) / 10.0).astype(np.float32) * 0.5
    seg = segment_audio(wave, 1.0, 64000)
    assert seg.shape == (64000,) and np.allclose(seg[:14000], wave[16000:]) and not seg[14000:].any()
    fb = fbank_features(seg, cfg)
    assert fb.shape == (400, 128)
    pad_value = (0 - cfg.norm_mean) / (2 * cfg.norm_std)
    assert np.allclose(fb[398:], pad_value) and not np.allclose(fb[0], pad_value)


def test_band_bias_allows_exactly_the_frames_within_the_window():
    from musedance_models.models.attention import band_bias
    b = band_bias(5, 5, 1)
    allowed = (b == 0).int().tolist()
    assert allowed == [[1, 1, 0, 0, 0], [1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 0, 1, 1]]
    assert torch.isinf(b[b != 0]).all() and (b[b != 0] < 0).all()


def test_sliding_window_temporal_attention_sees_only_near_frames():
    from musedance_models.models.temporal import TemporalSelfAttention
    torch.manual_seed(0)
    ta = TemporalSelfAttention(16, 2, 0.0, 64, window=2).eval()
    _nonzero_outputs(ta)
    x = torch.randn(10, 16, 2, 2)                   # 1 item x 10 frames
    far = x.clone()
    far[9] += 3.0 * torch.randn(16, 2, 2)           # frame 9 is 9 frames from frame 0, 2 from frame 7
    with torch.no_grad():
        a, b = ta(x, 1), ta(far, 1)
        ta.window = None
        full_a, full_b = ta(x, 1), ta(far, 1)
        ta.window = 9                               # a window covering every frame is full attention
        same = ta(x, 1)
    assert torch.equal(a[:7], b[:7])                # frames 0..6 cannot see frame 9
    assert not torch.allclose(a[7], b[7])           # frame 7 can
    assert not torch.allclose(full_a[0], full_b[0])  # without the window frame 0 sees it
    assert torch.allclose(same, full_a, atol=1e-6)


def test_beat_window_lets_a_frame_read_only_the_beats_near_it():
    torch.manual_seed(0)
    bm = BeatModule(16, 2, 0.0, 64, beat_window=1).eval()
    _nonzero_outputs(bm)
    x = torch.randn(8, 16, 2, 2)
    beats = torch.zeros(1, 8)
    moved = beats.clone()
    moved[0, 6] = 1.0                               # a beat on frame 6: out of frame 0..4's window
    with torch.no_grad():
        a, b = bm.cross(x, 1, bm.dense(beats)), bm.cross(x, 1, bm.dense(moved))
    assert torch.equal(a[:5], b[:5])
    assert not torch.allclose(a[5:], b[5:])


def test_beat_offsets_tell_each_frame_how_far_the_nearby_beats_are():
    torch.manual_seed(0)
    bm = BeatModule(8, 2, 0.0, 64, beat_offsets=2)
    beats = torch.zeros(1, 8)
    beats[0, 3] = 1.0
    dense = bm.dense(beats) - bm.positions[:8] - bm.embedding.weight[0]
    table = bm.offset_embedding[:, 0, :]            # (d, 5): the vector for 'a beat d - 2 frames away'
    for k in range(8):
        d = 3 - k                                   # the beat is d frames from frame k
        want = table[:, d + 2] if abs(d) <= 2 else torch.zeros(8)
        if d == 0:
            want = want + bm.embedding.weight[1] - bm.embedding.weight[0]
        assert torch.allclose(dense[0, k], want, atol=1e-5), k
    assert torch.equal(bm.dense(torch.zeros(1, 8)), bm.dense(torch.zeros(1, 8)))
    plain = BeatModule(8, 2, 0.0, 64)                # the paper's lookup: frame 1 cannot tell a beat on 3 from none
    far = plain.dense(beats) - plain.dense(torch.zeros(1, 8))
    assert torch.equal(far[0, 1], torch.zeros(8))


def test_window_fields_round_trip_and_old_configs_load_without_them():
    cfg = tiny()
    cfg.unet.temporal_window, cfg.unet.beat_window, cfg.unet.beat_offsets = 4, 3, 2
    back = MuseDanceConfig.from_dict(cfg.to_dict())
    assert (back.unet.temporal_window, back.unet.beat_window, back.unet.beat_offsets) == (4, 3, 2)
    old = tiny().to_dict()
    del old["unet"]["temporal_window"], old["unet"]["beat_window"], old["unet"]["beat_offsets"]  # from before
    assert MuseDanceConfig.from_dict(old).unet.temporal_window is None
    assert MuseDanceConfig.from_dict(old).unet.beat_offsets is None
    model = MuseDance(back)
    motion = [m.temporal.window for n, m in model.unet.named_modules() if n.endswith(".motion")]
    assert motion and all(w == 4 + back.motion_frames for w in motion)   # M previous frames stay in reach
