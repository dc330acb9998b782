"""
Ships the beat network: ONNX graph + meta json under assets/models/beat-net/, and golden vectors under
test/fixtures/beat-net/ (an excerpt of held-out features and PyTorch's activations for it) that the TypeScript
inference test compares against. Also the held-out evaluation used for RESULTS.md.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch

from ..checkpoint_io import load_own
from .data import feature_params, load_clips
from .evaluate import mean_scores, score_clip
from .model import BeatNet, parameter_count
from .train import load_model

INPUT_NAME = 'mel'
OUTPUT_NAME = 'activations'
MODEL_VERSION = 1
GOLDEN_FRAMES = 600


def export_onnx(model: BeatNet, path: Path, opset: int = 13) -> None:
    model = model.eval()
    dummy = torch.zeros(1, 700, model.cfg.mel_bands)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(model, (dummy,), str(path), input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
                      dynamic_axes={INPUT_NAME: {1: 'frames'}, OUTPUT_NAME: {1: 'frames'}}, opset_version=opset,
                      do_constant_folding=True)
    import onnx

    onnx.checker.check_model(onnx.load(str(path)))


@torch.no_grad()
def evaluate_held_out(ckpt: Path, corpus: Path) -> dict:
    params = feature_params(corpus)
    fps = params['sampleRate'] / params['hopSamples']
    model = load_model(ckpt)
    rows, by_family, by_meter = [], defaultdict(list), defaultdict(list)
    for c in load_clips(corpus, 'eval'):
        act = model(torch.from_numpy(c.mel).unsqueeze(0))[0].numpy()
        r = score_clip(act, fps, c.beats, c.downbeats)
        rows.append(r)
        by_family[c.family].append(r)
        meta = json.loads((corpus / f'{c.id}.json').read_text())
        by_meter[f'{meta["beats_per_bar"]} beats/bar'].append(r)
    return {'held_out': {**mean_scores(rows), 'clips': len(rows)},
            'by_family': {k: {**mean_scores(v), 'clips': len(v)} for k, v in sorted(by_family.items())},
            'by_meter': {k: {**mean_scores(v), 'clips': len(v)} for k, v in sorted(by_meter.items())},
            'decoder': 'peak picking (threshold 0.4; beats >= 0.25 s apart, downbeats >= 0.6 s)'}


def _corpus_summary(corpus: Path) -> dict:
    meta = json.loads((corpus / 'meta.json').read_text())
    clips = [json.loads(p.read_text()) for p in sorted(corpus.glob('clip*.json'))]
    hours = sum(c['duration'] for c in clips) / 3600
    return {'builder': 'native-models: python -m musedance_models.beatnet.corpus', 'version': meta['version'],
            'seed': meta['seed'], 'clips': len(clips), 'hours': round(hours, 2),
            'train_clips': sum(c['split'] == 'train' for c in clips), 'eval_clips': sum(c['split'] == 'eval' for c in clips),
            'held_out_grooves': meta['held_out_grooves'], 'held_out_soundfont': meta['held_out_soundfont']}


def export_shipped(run: Path, corpus: Path, repo: Path) -> dict:
    ckpt = run / 'checkpoint.pt'
    model = load_model(ckpt)
    params = feature_params(corpus)
    fps = params['sampleRate'] / params['hopSamples']
    out_dir = repo / 'assets' / 'models' / 'beat-net'
    onnx_path = out_dir / 'beat_net.onnx'
    export_onnx(model, onnx_path)
    # Golden vectors: the first held-out clip's features (frames 100..700) and PyTorch's activations.
    held = load_clips(corpus, 'eval')
    src = held[0] if held else load_clips(corpus)[0]
    mel = np.ascontiguousarray(src.mel[100:100 + GOLDEN_FRAMES], dtype=np.float32)
    with torch.no_grad():
        act = model(torch.from_numpy(mel).unsqueeze(0))[0].numpy().astype(np.float32)
    gdir = repo / 'test' / 'fixtures' / 'beat-net'
    gdir.mkdir(parents=True, exist_ok=True)
    mel.astype('<f4').tofile(gdir / 'golden-mel.f32')
    act.astype('<f4').tofile(gdir / 'golden-activations.f32')
    (gdir / 'golden.json').write_text(json.dumps({'source': f'{src.id} frames 100..{100 + len(mel)} of the beat corpus (held out)',
                                                  'frames': int(len(mel)), 'melBands': int(mel.shape[1]), 'outputs': 2,
                                                  'torch': torch.__version__, 'maxAbsDiff': 1e-4}, indent=1) + '\n')
    log = [json.loads(l) for l in (run / 'log.jsonl').read_text().splitlines() if l.strip()] if (run / 'log.jsonl').exists() else []
    evals = [r for r in log if r['event'] == 'eval']
    state_step = int(load_own(ckpt)['step'])
    meta = {
        'name': 'beat-net', 'version': MODEL_VERSION, 'file': 'beat_net.onnx',
        'sha256': hashlib.sha256(onnx_path.read_bytes()).hexdigest(),
        'input': {'name': INPUT_NAME, 'dtype': 'float32', 'shape': [1, 'frames', int(params['melBands'])]},
        'output': {'name': OUTPUT_NAME, 'dtype': 'float32', 'shape': [1, 'frames', 2], 'channels': ['beat', 'downbeat'],
                   'meaning': 'sigmoid probability that a beat / downbeat falls in the frame'},
        'fps': fps, 'contextFrames': model.cfg.context_frames,
        'features': {k: params[k] for k in ('sampleRate', 'fftSize', 'hopSamples', 'melBands', 'floorDb', 'offsetDb', 'scaleDb', 'version')},
        'model': {'kind': 'TCN', **model.cfg.to_dict(), 'parameters': parameter_count(model)},
        'training': {'recipe': 'native-models/recipes/beat_net.py', 'steps': state_step,
                     'train_clips_sampled': max((r['train_clips'] for r in log if r['event'] == 'train'), default=None),
                     'last_eval': evals[-1] if evals else None},
        'corpus': _corpus_summary(corpus),
    }
    (out_dir / 'beat_net.json').write_text(json.dumps(meta, indent=1) + '\n')
    return {'onnx': str(onnx_path), 'bytes': onnx_path.stat().st_size, 'golden': str(gdir), 'steps': state_step}
