"""
Beat corpus builder (issue 22): real accompaniment styles (MMA's groove library) over chord progressions, rendered
with several soundfonts and mixed like records, every beat and downbeat known exactly.

    /usr/bin/python3 -m musedance_models.beatnet.corpus --out <dir> [--count N] [--seed S]

Per clip: a song of 4-bar sections (groove variants, fills, drum-less sections, breaks, tempo jumps and ramps) is
written as MMA text, MMA writes the MIDI, beats come from MMA's bar length (`Time`) and the tempo map in that MIDI
(exact, `midi_file.py`), fluidsynth renders it, sox adds reverb/EQ/compression/speed change, numpy adds noise,
gain and a random start (phase), ffmpeg may round-trip it through mp3 or ogg. Written per clip: `<id>.wav`
(22050 Hz mono 16-bit) and `<id>.json` (beats, downbeats, how it was made). `meta.json` records the split:
whole groove files (`grooves.HELD_OUT`) and one soundfont are held out (`split: "eval"`). Resumable: a clip whose
json exists is skipped. One render process at a time. Needs the Debian packages in build/apt-packages-corpus.txt.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.io import wavfile

from .grooves import HELD_OUT, GrooveFile, load_library
from .midi_file import move_channel, read_midi, write_midi

SR = 22050
SF2 = Path('/usr/share/sounds/sf2')
# name -> (base soundfont, optional drum-kit soundfont put on the drum channel)
SOUNDFONTS = {
    'fluidr3_gm': ('FluidR3_GM.sf2', None),
    'timgm6mb': ('TimGM6mb.sf2', None),
    'fluidr3_gm+avl_black_pearl': ('FluidR3_GM.sf2', 'Black_Pearl_4_LV2.sf2'),
    'timgm6mb+avl_red_zeppelin': ('TimGM6mb.sf2', 'Red_Zeppelin_4_LV2.sf2'),
    'fluidr3_gm+gs': ('FluidR3_GM.sf2', None),  # + FluidR3_GS variations (bank 1+) loaded on top
    'csound_gmbank': ('sf_GMbank.sf2', None),
}
HELD_OUT_SOUNDFONT = 'csound_gmbank'
EVAL_FRACTION = 0.15
BPM_RANGE = (55.0, 200.0)
CORPUS_VERSION = 1

ROOTS = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'Gb', 'G', 'Ab', 'A', 'Bb', 'B']
# Progressions as (semitones above the key, chord suffix) per chord.
PROGRESSIONS = [
    [(0, ''), (9, 'm'), (5, ''), (7, '7')],
    [(0, ''), (7, ''), (9, 'm'), (5, '')],
    [(2, 'm7'), (7, '7'), (0, 'maj7'), (0, 'maj7')],
    [(0, '7'), (5, '7'), (0, '7'), (7, '7')],
    [(0, 'm'), (8, ''), (3, ''), (10, '')],
    [(0, ''), (5, ''), (0, ''), (7, '')],
    [(0, 'm7'), (5, 'm7'), (10, '7'), (3, 'maj7')],
    [(0, ''), (4, 'm'), (5, ''), (7, 'sus4')],
    [(9, 'm7'), (2, '7'), (7, 'm7'), (0, '7')],
    [(0, '6'), (9, 'm7'), (2, 'm7'), (7, '7')],
]


def _chord(key: int, step: tuple[int, str]) -> str:
    return ROOTS[(key + step[0]) % 12] + step[1]


def plan_clip(index: int, seed: int, library: list[GrooveFile]) -> dict:
    """Everything random about clip `index`, drawn from its own generator (a clip is the same whatever the count)."""
    rng = random.Random(seed * 1_000_003 + index)
    split = 'eval' if rng.random() < EVAL_FRACTION else 'train'
    pool = [g for g in library if (g.family in HELD_OUT) == (split == 'eval')]
    if not pool:  # a library narrowed by --meters may lack one side of the split
        split = 'train' if split == 'eval' else 'eval'
        pool = [g for g in library if (g.family in HELD_OUT) == (split == 'eval')]
    groove = rng.choice(pool)
    font = HELD_OUT_SOUNDFONT if split == 'eval' else rng.choice([f for f in SOUNDFONTS if f != HELD_OUT_SOUNDFONT])
    bpm = math.exp(rng.uniform(math.log(BPM_RANGE[0]), math.log(BPM_RANGE[1])))
    duration = rng.uniform(20.0, 40.0)
    return {'index': index, 'split': split, 'family': groove.family, 'soundfont': font, 'bpm': round(bpm, 1),
            'duration': round(duration, 2), 'seed': rng.randrange(2**31)}


def compose(plan: dict, groove: GrooveFile) -> tuple[str, int]:
    """MMA source for the plan and its number of bars."""
    rng = random.Random(plan['seed'])
    qpm = plan['bpm'] * groove.quarters_per_beat
    bar_s = groove.quarters_per_bar * 60.0 / qpm
    bars = max(8, int(math.ceil((plan['duration'] + 2 * bar_s) / bar_s / 4.0)) * 4)
    key = rng.randrange(12)
    prog = rng.choice(PROGRESSIONS)
    lines = [f'// clip {plan["index"]}: {groove.family} at {plan["bpm"]} beats/min', f'Tempo {int(round(qpm))}']
    bar = 1
    cur_qpm = qpm
    drums_off = False
    while bar <= bars:
        lines.append(f'Groove {rng.choice(groove.main)}')
        if bar > 1 and rng.random() < 0.25:  # tempo change at the section start: a jump or a ramp over the section
            target = min(max(cur_qpm * rng.uniform(0.8, 1.25), BPM_RANGE[0] * groove.quarters_per_beat), BPM_RANGE[1] * groove.quarters_per_beat)
            if rng.random() < 0.5:
                lines.append(f'Tempo {int(round(target))}')
            else:
                lines.append(f'Tempo {int(round(target))} {groove.quarters_per_bar * 4}')
            cur_qpm = target
        want_off = bar > 1 and rng.random() < 0.12
        if want_off != drums_off:
            lines.append('AllTracks Drum Off' if want_off else 'AllTracks Drum On')
            drums_off = want_off
        for j in range(4):
            if bar > bars:
                break
            chord = _chord(key, prog[(bar - 1) % len(prog)])
            if j == 3 and not drums_off and rng.random() < 0.08:
                lines.append(f'{bar} z!')  # a full break: one silent bar, the beat goes on
            elif j == 3 and not drums_off and rng.random() < 0.08:
                lines.append(f'{bar} z')  # drums alone
            elif j == 3 and groove.fills and rng.random() < 0.3:
                lines.append(f'Groove {rng.choice(groove.fills)}')
                lines.append(f'{bar} {chord}')
            else:
                lines.append(f'{bar} {chord}')
            bar += 1
    return '\n'.join(lines) + '\n', bars


def exact_beats(midi_path: Path, groove: GrooveFile, bars: int) -> tuple[list[float], list[int]]:
    """Beat times (s) and their position in the bar (1 = downbeat), from MMA's bar length and the MIDI tempo map."""
    midi = read_midi(midi_path)
    qt = midi.division
    ticks, pos = [], []
    for b in range(bars):
        for k in range(groove.beats_per_bar):
            ticks.append((b * groove.quarters_per_bar + k * groove.quarters_per_beat) * qt)
            pos.append(k + 1)
    return midi.ticks_to_seconds(ticks), pos


def _run(cmd: list[str], **kw) -> None:
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f'{cmd[0]} failed: {(r.stderr or r.stdout).strip()[-400:]}')


def render(midi_path: Path, font: str, wav_path: Path, work: Path) -> None:
    base, kit = SOUNDFONTS[font]
    cmds = work / 'fluid.cmd'
    lines = []
    midi_in = midi_path
    if kit:
        midi = read_midi(midi_path)
        free = sorted(set(range(16)) - midi.channels_used() - {9})
        move_channel(midi, 9, free[0], 100 * 128, 0)
        midi_in = work / 'kit.mid'
        write_midi(midi, midi_in)
        lines.append(f'load {SF2 / kit} 1 {100 * 128}')
    if font == 'fluidr3_gm+gs':
        lines.append(f'load {SF2 / "FluidR3_GS.sf2"} 1 0')
    cmds.write_text('\n'.join(lines) + '\n')
    _run(['fluidsynth', '-n', '-i', '-q', '-F', str(wav_path), '-r', str(SR), '-g', '0.5', '-f', str(cmds), str(SF2 / base), str(midi_in)])


def master(raw: Path, out: Path, rng: random.Random, work: Path) -> dict:
    """Record-like processing; returns what was done and the time factor (output time = input time / speed)."""
    fx: dict = {}
    sox = ['sox', '-q', str(raw), str(work / 'fx.wav'), 'remix', '-']
    speed = 1.0
    if rng.random() < 0.3:
        speed = rng.uniform(0.97, 1.03)
        sox += ['speed', f'{speed:.5f}', 'rate', str(SR)]
        fx['speed'] = round(speed, 5)
    if rng.random() < 0.6:
        rev = rng.randint(10, 70)
        sox += ['reverb', str(rev)]
        fx['reverb'] = rev
    for _ in range(rng.randint(0, 3)):
        f, g = int(math.exp(rng.uniform(math.log(60), math.log(8000)))), round(rng.uniform(-9, 9), 1)
        sox += ['equalizer', str(f), '1.0q', str(g)]
        fx.setdefault('eq', []).append([f, g])
    if rng.random() < 0.5:
        sox += ['compand', '0.01,0.2', '6:-60,-40,-20', '-6', '-90']  # no look-ahead delay: it would move the beats
        fx['compand'] = True
    if rng.random() < 0.2:
        cut = rng.choice([3000, 5000, 8000])
        sox += ['lowpass', str(cut)]
        fx['lowpass'] = cut
    if rng.random() < 0.2:
        cut = rng.choice([80, 150, 300])
        sox += ['highpass', str(cut)]
        fx['highpass'] = cut
    sox += ['rate', str(SR)]
    _run(sox)
    fx['speed_factor'] = speed
    return fx


def finish(work: Path, out_wav: Path, beats: list[float], pos: list[int], duration: float, rng: random.Random, fx: dict) -> tuple[list[float], list[int]]:
    sr, x = wavfile.read(work / 'fx.wav')
    x = x.astype(np.float64) / (32768.0 if x.dtype == np.int16 else 1.0)
    speed = fx['speed_factor']
    t = np.asarray(beats) / speed
    # Phase: start anywhere in the first two bars (the song does not start on a downbeat).
    start = rng.uniform(0.0, min(t[len(t) // 8], 6.0)) if len(t) > 8 else 0.0
    n0 = int(round(start * SR))
    n1 = min(len(x), n0 + int(duration * SR))
    x = x[n0:n1]
    t = t - n0 / SR
    keep = (t >= 0) & (t < len(x) / SR - 0.05)
    t, p = t[keep], np.asarray(pos)[keep]
    peak = np.max(np.abs(x)) + 1e-9
    x = x / peak * 10 ** (rng.uniform(-20, -1) / 20)
    if rng.random() < 0.5:
        snr = rng.uniform(15, 45)
        rms = math.sqrt(float(np.mean(x ** 2)) + 1e-12)
        noise = np.random.default_rng(rng.randrange(2**31)).standard_normal(len(x))
        if rng.random() < 0.5:  # pink-ish: integrate white noise a little
            noise = np.convolve(noise, np.exp(-np.arange(64) / 16.0), mode='same')
        noise *= rms / (np.sqrt(np.mean(noise ** 2)) + 1e-12) * 10 ** (-snr / 20)
        x = x + noise
        fx['noise_snr_db'] = round(snr, 1)
    x = np.clip(x, -1.0, 1.0)
    wavfile.write(work / 'mix.wav', SR, (x * 32767).astype(np.int16))
    codec = rng.choice([None, None, 'mp3', 'ogg'])
    if codec:
        ext, args = ('mp3', ['-c:a', 'libmp3lame', '-b:a', f'{rng.choice([64, 96, 128, 192])}k']) if codec == 'mp3' else ('ogg', ['-c:a', 'libvorbis', '-q:a', str(rng.choice([0, 2, 4]))])
        enc = work / f'mix.{ext}'
        _run(['ffmpeg', '-v', 'error', '-y', '-i', str(work / 'mix.wav'), *args, str(enc)])
        _run(['ffmpeg', '-v', 'error', '-y', '-i', str(enc), '-ar', str(SR), '-ac', '1', '-c:a', 'pcm_s16le', str(out_wav)])
        fx['codec'] = ' '.join([codec] + args[2:])
    else:
        shutil.copyfile(work / 'mix.wav', out_wav)
    fx['start_s'] = round(start, 4)
    return [round(float(v), 6) for v in t], [int(v) for v in p]


def build_clip(plan: dict, groove: GrooveFile, out: Path, keep_midi: bool = False) -> dict:
    cid = f'clip{plan["index"]:05d}'
    rng = random.Random(plan['seed'] + 1)
    with tempfile.TemporaryDirectory(prefix='beatcorpus-') as tmp:
        work = Path(tmp)
        src, bars = compose(plan, groove)
        (work / 'song.mma').write_text(src)
        _run(['mma', '-f', str(work / 'song.mid'), str(work / 'song.mma')], cwd=work)
        beats, pos = exact_beats(work / 'song.mid', groove, bars)
        if keep_midi:
            shutil.copyfile(work / 'song.mid', out / f'{cid}.mid')
            (out / f'{cid}.mma').write_text(src)
        render(work / 'song.mid', plan['soundfont'], work / 'raw.wav', work)
        fx = master(work / 'raw.wav', work / 'fx.wav', rng, work)
        beats, pos = finish(work, work / 'out.wav', beats, pos, plan['duration'], rng, fx)
        shutil.move(str(work / 'out.wav'), str(out / f'{cid}.wav'))  # whole files only: features may be read meanwhile
    meta = {**plan, 'id': cid, 'quarters_per_bar': groove.quarters_per_bar, 'beats_per_bar': groove.beats_per_bar,
            'bars': bars, 'fx': fx, 'beats': beats, 'beat_positions': pos,
            'downbeats': [b for b, p in zip(beats, pos) if p == 1]}
    tmp_json = out / f'{cid}.json.part'
    tmp_json.write_text(json.dumps(meta))
    tmp_json.replace(out / f'{cid}.json')  # the json is written last: its presence marks a finished clip
    return meta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', required=True, type=Path)
    ap.add_argument('--count', type=int, default=480)
    ap.add_argument('--seed', type=int, default=22)
    ap.add_argument('--first', type=int, default=0, help='index of the first clip (extra material goes after the main build)')
    ap.add_argument('--meters', type=str, default='', help='only grooves with these beats per bar, e.g. "3,5,2" (more odd meters)')
    ap.add_argument('--keep-midi', action='store_true', help='also keep each clip\'s .mma and .mid')
    args = ap.parse_args(argv)
    for tool in ('mma', 'fluidsynth', 'sox', 'ffmpeg'):
        if not shutil.which(tool):
            print(f'corpus: {tool} is missing; install the packages in build/apt-packages-corpus.txt (apt-get install -y $(grep -v "^#" build/apt-packages-corpus.txt))', file=sys.stderr)
            return 2
    missing = [f for f, (b, k) in SOUNDFONTS.items() if not (SF2 / b).exists() or (k and not (SF2 / k).exists())]
    if missing:
        print(f'corpus: soundfonts missing for {missing}; install build/apt-packages-corpus.txt', file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    library = {g.family: g for g in load_library()}
    pool = list(library.values())
    if args.meters:
        wanted = {int(m) for m in args.meters.split(',')}
        pool = [g for g in pool if g.beats_per_bar in wanted]
        if not pool:
            print(f'corpus: no groove has {args.meters} beats per bar', file=sys.stderr)
            return 2
    plans = [plan_clip(i, args.seed, pool) for i in range(args.first, args.first + args.count)]
    meta_path = args.out / 'meta.json'
    old = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    meta_path.write_text(json.dumps({
        'version': CORPUS_VERSION, 'seed': args.seed, 'sample_rate': SR,
        'builds': old.get('builds', []) + [{'first': args.first, 'count': args.count, 'meters': args.meters or 'all'}],
        'held_out_grooves': list(HELD_OUT), 'held_out_soundfont': HELD_OUT_SOUNDFONT,
        'soundfonts': {k: [v[0], v[1]] for k, v in SOUNDFONTS.items()},
        'eval_clips': sorted(set(old.get('eval_clips', [])) | {f'clip{p["index"]:05d}' for p in plans if p['split'] == 'eval'}),
        'rule': 'eval clips use only held-out groove files and the held-out soundfont; train clips use neither',
        'note': 'eval_clips lists planned clips; a clip exists when its json does'}, indent=1))
    started = time.time()
    done = 0
    for plan in plans:
        if (args.out / f'clip{plan["index"]:05d}.json').exists():
            continue
        try:
            build_clip(plan, library[plan['family']], args.out, args.keep_midi)
        except Exception as e:  # one bad clip must not end a long build; it is retried next run
            print(json.dumps({'event': 'clip_failed', 'index': plan['index'], 'family': plan['family'], 'error': str(e)[:300]}), flush=True)
            continue
        done += 1
        if done % 10 == 0:
            print(json.dumps({'event': 'progress', 'built': done, 'index': plan['index'], 'elapsed_s': round(time.time() - started, 1)}), flush=True)
    print(json.dumps({'event': 'done', 'built': done, 'elapsed_s': round(time.time() - started, 1)}), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
