"""Beat network (issue 22): model shapes and chunk exactness, ONNX export, exact beats from MIDI tempo maps, and
the corpus builder on one tiny clip (skipped where the corpus packages of build/apt-packages-corpus.txt are not
installed)."""
import json
import random
import shutil

import numpy as np
import pytest
import torch

from musedance_models.beatnet import corpus
from musedance_models.beatnet.data import frame_targets
from musedance_models.beatnet.evaluate import pick_peaks, score_clip
from musedance_models.beatnet.export import INPUT_NAME, OUTPUT_NAME, export_onnx
from musedance_models.beatnet.grooves import GrooveFile, HELD_OUT, load_library
from musedance_models.beatnet.midi_file import MidiEvent, MidiFile, read_midi, write_midi
from musedance_models.beatnet.model import BeatNet, BeatNetConfig

SMALL = BeatNetConfig(channels=8, frontend_channels=8, dilations=[1, 2, 4], dropout=0.0)


def test_shapes_and_probabilities():
    torch.manual_seed(0)
    m = BeatNet(SMALL).eval()
    with torch.no_grad():
        y = m(torch.randn(2, 123, 80))
    assert y.shape == (2, 123, 2)
    assert float(y.min()) >= 0.0 and float(y.max()) <= 1.0


def test_a_chunk_with_its_context_equals_the_whole_run():
    torch.manual_seed(1)
    m = BeatNet(SMALL).eval()
    c = m.cfg.context_frames
    assert c == 2 + 2 * (1 + 2 + 4)
    x = torch.randn(1, 300, 80)
    with torch.no_grad():
        whole = m(x)
        part = m(x[:, 100 - c:200 + c])
        short = m(x[:, 100 - c + 1:200 + c])  # one frame of context too little: must differ
    assert torch.allclose(whole[:, 100:200], part[:, c:c + 100], atol=1e-6)
    assert not torch.allclose(whole[:, 100], short[:, c - 1], atol=1e-6)


def test_onnx_export_has_named_dynamic_io(tmp_path):
    import onnx

    path = tmp_path / 'b.onnx'
    export_onnx(BeatNet(SMALL), path)
    g = onnx.load(str(path)).graph
    assert [i.name for i in g.input] == [INPUT_NAME]
    assert [o.name for o in g.output] == [OUTPUT_NAME]
    dims = g.input[0].type.tensor_type.shape.dim
    assert dims[1].dim_param == 'frames' and dims[2].dim_value == 80
    assert g.output[0].type.tensor_type.shape.dim[2].dim_value == 2


def test_exact_beats_follow_the_tempo_map(tmp_path):
    # 4 bars of 3/4 at 96 ticks per quarter: 120 quarter/min, then 60 from bar 3.
    m = MidiFile(1, 96, [[MidiEvent(0, 0xFF, bytes([0x51]) + (500_000).to_bytes(3, 'big')),
                          MidiEvent(2 * 3 * 96, 0xFF, bytes([0x51]) + (1_000_000).to_bytes(3, 'big')),
                          MidiEvent(4 * 3 * 96, 0xFF, bytes([0x2F]))]])
    write_midi(m, tmp_path / 'a.mid')
    g = GrooveFile('x', 3, 1, ('X',), ())
    beats, pos = corpus.exact_beats(tmp_path / 'a.mid', g, 4)
    expected = [0.5 * i for i in range(6)] + [3.0 + i for i in range(6)]
    assert np.allclose(beats, expected)
    assert pos == [1, 2, 3] * 4
    # compound meter: 6 quarters a bar felt as 2 beats
    beats68, pos68 = corpus.exact_beats(tmp_path / 'a.mid', GrooveFile('y', 6, 3, ('Y',), ()), 2)
    assert np.allclose(beats68, [0.0, 1.5, 3.0, 6.0]) and pos68 == [1, 2, 1, 2]
    assert read_midi(tmp_path / 'a.mid').tempo_map() == [(0, 500_000), (576, 1_000_000)]


def test_split_holds_out_whole_grooves_and_a_soundfont():
    lib = load_library()
    assert len(lib) > 80 and set(HELD_OUT) <= {g.family for g in lib}
    plans = [corpus.plan_clip(i, 22, lib) for i in range(300)]
    for p in plans:
        assert (p['family'] in HELD_OUT) == (p['split'] == 'eval')
        assert (p['soundfont'] == corpus.HELD_OUT_SOUNDFONT) == (p['split'] == 'eval')
    assert 20 < sum(p['split'] == 'eval' for p in plans) < 80
    assert plans[7] == corpus.plan_clip(7, 22, lib)  # a clip does not depend on the count


def test_targets_and_peak_picking_score_a_perfect_activation():
    fps = 22050 / 512
    beats = np.arange(0.5, 20, 0.5)
    downbeats = beats[::4]
    n = int(21 * fps)
    act = np.stack([frame_targets(beats, n, fps), frame_targets(downbeats, n, fps)], 1)
    s = score_clip(act, fps, beats, downbeats)
    assert s['beat_f'] > 0.97 and s['downbeat_f'] > 0.9  # frame rounding can move a beat across mir_eval's 5 s trim
    assert len(pick_peaks(np.zeros(100), fps)) == 0


@pytest.mark.skipif(not all(shutil.which(t) for t in ('mma', 'fluidsynth', 'sox', 'ffmpeg')), reason='corpus packages (build/apt-packages-corpus.txt) not installed')
def test_corpus_clip_beats_are_where_the_drums_hit(tmp_path):
    lib = {g.family: g for g in load_library()}
    g = lib['basicrock']
    plan = {'index': 0, 'split': 'train', 'family': 'basicrock', 'soundfont': 'timgm6mb', 'bpm': 100.0, 'duration': 10.0, 'seed': 5}
    meta = corpus.build_clip(plan, g, tmp_path, keep_midi=True)
    # The drums MMA wrote hit on the beats we derived (MMA humanises drum timing by up to 10 ticks).
    midi = read_midi(tmp_path / 'clip00000.mid')
    drum_ticks = np.array(sorted(e.tick for t in midi.tracks for e in t if e.status == 0x99 and e.data[1] > 0))
    beat_ticks = [b * 4 * midi.division + k * midi.division for b in range(4) for k in range(4)]
    assert all(np.min(np.abs(drum_ticks - bt)) <= 12 for bt in beat_ticks)
    # The rendered audio has its onsets at the labelled beats (after speed change, phase cut and codec).
    from scipy.io import wavfile
    sr, x = wavfile.read(tmp_path / 'clip00000.wav')
    assert sr == 22050 and abs(len(x) / sr - 10.0) < 0.1
    x = x.astype(np.float64)
    hop = 256
    env = np.array([np.sum(x[i:i + hop] ** 2) for i in range(0, len(x) - hop, hop)])
    flux = np.maximum(np.diff(np.log(env + 1e-3)), 0)
    at_beats = [flux[max(0, int(b * sr / hop) - 1):int(b * sr / hop) + 2].max() for b in meta['beats'] if b * sr / hop < len(flux) - 2]
    assert np.mean(at_beats) > 2.0 * np.mean(flux)
    assert meta['downbeats'] == [b for b, p in zip(meta['beats'], meta['beat_positions']) if p == 1]
    assert json.loads((tmp_path / 'clip00000.json').read_text())['beats'] == meta['beats']
