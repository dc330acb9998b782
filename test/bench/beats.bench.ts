/**
 * Beat tracking benchmark: the beat network + bar-pointer DBN, the DP tracker and essentia.js RhythmExtractor2013
 * (AGPL, devDependency, used only here as a yardstick) side by side in one run: beat F, F at any metrical level,
 * CMLt, AMLt and downbeat F (mir_eval's definitions, cross-checked in test/unit/audio) on the project's hard clips
 * and on the network's held-out corpus clips when present; plus speed on a 5-minute song (per tracker, network
 * and decoder alone) and peak RSS on a 60-minute one. Targets: F >= essentia + 0.02, >= 3x faster than essentia.js, 5-minute song < 1.5 s,
 * 60-minute song < 500 MB peak RSS.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import FFT from 'fft.js';
import { BeatAnalysisService } from '../../electron/services/audio/beat-analysis-service';
import { extractFeatures } from '../../electron/services/audio/extract-features';
import { trackBeats } from '../../electron/services/audio/track-beats';
import { decodeBarPointer } from '../../electron/services/audio/bar-pointer-dbn';
import { DEFAULT_BEAT_TRACKER, type BeatNetLoader } from '../../electron/services/audio/beat-pipeline';
import { beatNetLoader } from '../../electron/services/audio/beat-net-loader';
import { beatFMeasure, beatScores, type BeatScores } from '../fixtures/beats-eval/beat-metrics';
import { ensureEvalSet, evalSetDir, type EvalClip } from '../fixtures/beats-eval/generate';
import { bench } from './report';

const run = promisify(execFile);
const ESSENTIA_RATE = 44_100;

interface Essentia {
  arrayToVector(a: Float32Array): { delete?(): void };
  vectorToArray(v: unknown): Float32Array;
  RhythmExtractor2013(signal: unknown, maxTempo: number, method: string, minTempo: number): { bpm: number; ticks: unknown };
}

async function decodeForEssentia(file: string): Promise<Float32Array> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-nostdin', '-i', file, '-ac', '1', '-ar', String(ESSENTIA_RATE), '-f', 'f32le', '-'], { encoding: 'buffer', maxBuffer: 1 << 30 });
  const out = new Float32Array(stdout.length >> 2);
  new Uint8Array(out.buffer).set(stdout.subarray(0, out.length * 4));
  return out;
}

/** Textbook iterative radix-2 complex FFT: the hand-written alternative fft.js is measured against. */
function naiveFft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(ang * k);
        const wi = Math.sin(ang * k);
        const a = i + k;
        const b = a + len / 2;
        const xr = re[b]! * wr - im[b]! * wi;
        const xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
      }
    }
  }
}

function benchFft(): void {
  const n = 2048;
  const reps = 3000;
  const input = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.1) + Math.cos(i * 0.37));
  const fft = new FFT(n);
  const out = new Float64Array(2 * n);
  let t0 = performance.now();
  for (let r = 0; r < reps; r++) fft.realTransform(out, input);
  const fftJsUs = ((performance.now() - t0) * 1000) / reps;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    re.set(input);
    im.fill(0);
    naiveFft(re, im);
  }
  const naiveUs = ((performance.now() - t0) * 1000) / reps;
  bench('beats.fft2048_fftjs_real', fftJsUs, 'us');
  bench('beats.fft2048_handwritten_radix2', naiveUs, 'us');
}

/** CPU seconds of this process plus its reaped children (ffmpeg), from /proc (Linux); null elsewhere. */
function cpuSecondsWithChildren(): number | null {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // After "comm)": fields[11..14] = utime, stime, cutime, cstime in clock ticks (USER_HZ = 100 on Linux).
    return fields.slice(11, 15).reduce((a, v) => a + Number(v), 0) / 100;
  } catch {
    return null;
  }
}

async function longFile(sourceClips: EvalClip[], minutes: number, name: string, codec: string[]): Promise<string> {
  const file = path.join(evalSetDir(), name);
  if (fs.existsSync(file)) return file;
  const list = path.join(evalSetDir(), `${name}.txt`);
  // The concat demuxer needs identical stream parameters: use the WAV clips (44.1 kHz mono s16) only.
  sourceClips = sourceClips.filter((c) => c.file.endsWith('.wav'));
  const needed = Math.ceil((minutes * 60) / 30);
  const lines = Array.from({ length: needed }, (_, i) => `file '${sourceClips[i % sourceClips.length]!.file.replace(/'/g, "'\\''")}'`);
  await fs.promises.writeFile(list, lines.join('\n'));
  await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-t', String(minutes * 60), '-ac', '1', '-ar', '22050', ...codec, file + '.tmp' + path.extname(file)]);
  await fs.promises.rename(file + '.tmp' + path.extname(file), file);
  return file;
}

/** The network alone (ms per minute of audio) and the bar-pointer decode alone, on the 5-minute song. */
async function benchNetParts(file: string, loadBeatNet: BeatNetLoader): Promise<void> {
  const runner = await loadBeatNet();
  const song = runner.start();
  const features = await extractFeatures(file, { ffmpegPath: 'ffmpeg', onMelFrame: song.onMelFrame.bind(song) });
  const t0 = performance.now();
  const act = await song.finish(features.onsetEnvelope.length);
  const netMs = performance.now() - t0;
  const minutes = features.durationSec / 60;
  bench('beats.net_ms_per_minute', netMs / minutes, 'ms');
  const t1 = performance.now();
  const decoded = decodeBarPointer(act.beat, act.downbeat, { fps: act.fps });
  bench('beats.dbn_decode_ms_5min', ((performance.now() - t1) * 5) / minutes, 'ms');
  console.log(`# 5-minute song: ${decoded.beats.length} beats in ${decoded.beatsPerBar}/x bars`);
}

type System = 'net' | 'dp' | 'essentia';
const SYSTEMS: System[] = ['net', 'dp', 'essentia'];
const METRICS: Array<[keyof BeatScores, string]> = [
  ['f', 'f'],
  ['fAnyLevel', 'f_any_level'],
  ['cmlt', 'cmlt'],
  ['amlt', 'amlt'],
  ['downbeatF', 'downbeat_f'],
];

interface Scored {
  id: string;
  scores: Partial<Record<System, BeatScores>>;
}

/** One clip through every available system: beats (and downbeats where the system finds them) scored alike. */
async function scoreClip(
  clip: { id: string; file: string; beats: number[]; downbeats: number[] },
  service: BeatAnalysisService,
  essentia: Essentia,
  netAvailable: boolean,
  timing: Record<System, number>,
): Promise<Scored> {
  const scores: Scored['scores'] = {};
  for (const tracker of ['dp', 'net'] as const) {
    if (tracker === 'net' && !netAvailable) continue;
    const t0 = performance.now();
    const a = await service.analyse(clip.file, { refresh: true, tracker });
    timing[tracker] += (performance.now() - t0) / 1000;
    const bars = a.bars && a.bars.beatInBar.length === a.beatTimesSec.length ? a.bars : null;
    const down = bars ? a.beatTimesSec.filter((_, i) => bars.beatInBar[i] === 1) : null;
    scores[tracker] = beatScores(clip.beats, a.beatTimesSec, clip.downbeats, down);
  }
  const pcm = await decodeForEssentia(clip.file);
  const t0 = performance.now();
  const vector = essentia.arrayToVector(pcm);
  const rhythm = essentia.RhythmExtractor2013(vector, 208, 'multifeature', 40);
  const ticks = Array.from(essentia.vectorToArray(rhythm.ticks));
  timing.essentia += (performance.now() - t0) / 1000;
  vector.delete?.();
  scores.essentia = beatScores(clip.beats, ticks, clip.downbeats, null); // RhythmExtractor2013 finds no downbeats
  const line = SYSTEMS.filter((s) => scores[s])
    .map((s) => `${s} F ${scores[s]!.f.toFixed(3)} any ${scores[s]!.fAnyLevel.toFixed(3)} CMLt ${scores[s]!.cmlt.toFixed(3)} AMLt ${scores[s]!.amlt.toFixed(3)}${Number.isNaN(scores[s]!.downbeatF) ? '' : ` dbF ${scores[s]!.downbeatF.toFixed(3)}`}`)
    .join(' | ');
  console.log(`# ${clip.id.padEnd(22)} ${line}`);
  return { id: clip.id, scores };
}

/** Mean of each metric per system over a set, as `BENCH beats.<set>.<system>.<metric>` lines (NaN = not measured). */
function reportSet(set: string, rows: Scored[]): void {
  for (const system of SYSTEMS) {
    const have = rows.map((r) => r.scores[system]).filter((x): x is BeatScores => !!x);
    if (have.length === 0) continue;
    for (const [key, name] of METRICS) {
      const values = have.map((h) => h[key]).filter((v) => !Number.isNaN(v));
      if (values.length) bench(`beats.${set}.${system}.${name}`, values.reduce((a, b) => a + b, 0) / values.length, 'score');
    }
  }
}

/**
 * The network's held-out clips (issue 22's corpus: whole grooves and one soundfont never trained on): the folder
 * from MUSEDANCE_BEAT_CORPUS or the corpus builder's default; `meta.json` lists the eval clips, `<id>.json` holds
 * their beats and downbeats. Absent here -> skipped with a message (CI has no corpus).
 */
function heldOutClips(): Array<{ id: string; file: string; beats: number[]; downbeats: number[] }> | null {
  const candidates = [process.env.MUSEDANCE_BEAT_CORPUS, path.resolve('native-models/runs/beatnet/corpus')].filter((d): d is string => !!d);
  const dir = candidates.find((d) => fs.existsSync(path.join(d, 'meta.json')));
  if (!dir) return null;
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { eval_clips?: string[] };
  const limit = Number(process.env.MUSEDANCE_BEAT_HELDOUT_LIMIT || 40);
  return (meta.eval_clips ?? [])
    .filter((id) => fs.existsSync(path.join(dir, `${id}.json`)) && fs.existsSync(path.join(dir, `${id}.wav`)))
    .slice(0, limit)
    .map((id) => {
      const j = JSON.parse(fs.readFileSync(path.join(dir, `${id}.json`), 'utf8')) as { beats: number[]; downbeats: number[] };
      return { id, file: path.join(dir, `${id}.wav`), beats: j.beats, downbeats: j.downbeats };
    });
}

export default async function beatsBench(): Promise<void> {
  benchFft();
  const clips = await ensureEvalSet();
  const require = createRequire(import.meta.url);
  const { EssentiaWASM, Essentia } = require('essentia.js') as { EssentiaWASM: unknown; Essentia: new (wasm: unknown) => Essentia };
  const essentia = new Essentia(EssentiaWASM);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-beats-bench-'));
  const loadBeatNet = beatNetLoader();
  const service = new BeatAnalysisService({ ffmpegPath: 'ffmpeg', cacheDir, loadBeatNet });
  await service.analyse(clips[0]!.file, { refresh: true, tracker: 'dp' }); // warm-up: fluent-ffmpeg's one-time capability probe
  let netAvailable = true;
  try {
    await service.analyse(clips[0]!.file, { refresh: true, tracker: 'net' }); // warm-up: the ONNX session
  } catch (error) {
    netAvailable = false;
    console.log(`# net tracker not measured: ${(error as Error).message}`);
  }
  console.log(`# default tracker: ${DEFAULT_BEAT_TRACKER}`);

  // The project's hard clips (generated: 3/4, 5/4, 6/8, swing, tempo steps and ramps, no drums, noise).
  const timing: Record<System, number> = { net: 0, dp: 0, essentia: 0 };
  const hard: Scored[] = [];
  for (const clip of clips) {
    hard.push(await scoreClip({ id: clip.id, file: clip.file, beats: clip.beatTimesSec, downbeats: clip.beatTimesSec.filter((_, i) => i % clip.beatsPerBar === 0) }, service, essentia, netAvailable, timing));
  }
  bench('beats.clips', clips.length, 'clips');
  reportSet('hard', hard);
  // The figures earlier rounds printed: the default tracker's F ("ours") against essentia.js.
  const mean = (sys: System) => hard.reduce((a, r) => a + (r.scores[sys]?.f ?? 0), 0) / hard.length;
  const ours: System = DEFAULT_BEAT_TRACKER === 'net' && netAvailable ? 'net' : 'dp';
  bench('beats.f_ours', mean(ours), 'F');
  bench('beats.f_essentia', mean('essentia'), 'F');
  bench('beats.f_margin_vs_essentia', mean(ours) - mean('essentia'), 'F');
  if (netAvailable) bench('beats.f_net_minus_dp', mean('net') - mean('dp'), 'F');
  bench('beats.seconds_dp_total', timing.dp, 's');
  if (netAvailable) bench('beats.seconds_net_total', timing.net, 's');
  bench('beats.seconds_essentia_total', timing.essentia, 's');
  bench('beats.speedup_vs_essentia', timing.essentia / (ours === 'net' ? timing.net : timing.dp), 'x');

  // librosa-style baseline on the same onset envelope: one global tempo, no metrical-level check.
  let fBaseline = 0;
  for (const clip of clips) {
    const features = await extractFeatures(clip.file, { ffmpegPath: 'ffmpeg' });
    const baseline = trackBeats({ onsetEnvelope: features.onsetEnvelope, frameRms: features.frameRms, rms: Math.sqrt(features.sumSquares / features.sampleCount) }, { variableTempo: false, metricalLevel: false });
    fBaseline += beatFMeasure(clip.beatTimesSec, baseline.beatTimesSec);
  }
  bench('beats.f_librosa_style_baseline', fBaseline / clips.length, 'F');

  // The network's held-out corpus clips (when the corpus is on this machine).
  const held = heldOutClips();
  if (!held || held.length === 0) console.log('# held-out corpus not found (set MUSEDANCE_BEAT_CORPUS to the corpus folder): skipped');
  else {
    const rows: Scored[] = [];
    for (const clip of held) {
      try {
        rows.push(await scoreClip(clip, service, essentia, netAvailable, { net: 0, dp: 0, essentia: 0 }));
      } catch (error) {
        console.log(`# ${clip.id} skipped: ${(error as Error).message}`); // a clip the corpus builder is rewriting
      }
    }
    bench('beats.heldout_clips', rows.length, 'clips');
    reportSet('heldout', rows);
  }

  // A 5-minute song as a user would have it (MP3), analysed from scratch by the service (decode included).
  const fiveMin = await longFile(clips, 5, 'five-minutes.mp3', ['-c:a', 'libmp3lame', '-b:a', '128k']);
  for (const tracker of ['dp', 'net'] as const) {
    if (tracker === 'net' && !netAvailable) continue;
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < 3; i++) {
      const c0 = cpuSecondsWithChildren();
      const t0 = performance.now();
      await service.analyse(fiveMin, { refresh: true, tracker });
      times.push((performance.now() - t0) / 1000);
      const c1 = cpuSecondsWithChildren();
      if (c0 !== null && c1 !== null) cpu.push(c1 - c0);
    }
    // `seconds_5min` is the default tracker's (decode, features, network and bar-pointer decoding included).
    const suffix = tracker === (netAvailable ? DEFAULT_BEAT_TRACKER : 'dp') ? '' : `_${tracker}`;
    bench(`beats.seconds_5min${suffix}`, Math.min(...times), 's');
    bench(`beats.seconds_5min${suffix}_median`, times.sort((a, b) => a - b)[1]!, 's');
    // Wall time depends on what else the two cores run; CPU time (node + ffmpeg) is the work itself.
    if (cpu.length) bench(`beats.cpu_seconds_5min${suffix}`, Math.min(...cpu), 's');
  }
  if (netAvailable) await benchNetParts(fiveMin, loadBeatNet);
  bench('beats.load_average_1min', os.loadavg()[0]!, 'procs');

  // Peak RSS of a fresh process analysing a 60-minute file (streamed: should not grow with length).
  const hour = await longFile(clips, 60, 'sixty-minutes.flac', ['-c:a', 'flac']);
  for (const tracker of netAvailable ? (['dp', 'net'] as const) : (['dp'] as const)) {
    const child = await run(process.execPath, ['--import', 'tsx', path.join(path.dirname(new URL(import.meta.url).pathname), 'beats-rss-child.ts'), hour, cacheDir, tracker], { maxBuffer: 1 << 20 });
    const report = JSON.parse(child.stdout.trim().split('\n').pop()!) as { peakRssMb: number; seconds: number; durationSec: number };
    const suffix = tracker === 'dp' ? '' : `_${tracker}`;
    bench(`beats.peak_rss_60min${suffix}`, report.peakRssMb, 'MB');
    bench(`beats.seconds_60min${suffix}`, report.seconds, 's');
  }
  fs.rmSync(cacheDir, { recursive: true, force: true });
}
