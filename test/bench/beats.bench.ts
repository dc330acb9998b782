/**
 * Beat tracking benchmark: our tracker vs essentia.js RhythmExtractor2013 (AGPL, devDependency, used only here as
 * a yardstick) on the same generated clips in one run, plus speed on a 5-minute song and peak RSS on a
 * 60-minute one. Targets: F >= essentia + 0.02, >= 3x faster than essentia.js, 5-minute song < 1.5 s,
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
import { beatFMeasure } from '../fixtures/beats-eval/beat-metrics';
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

export default async function beatsBench(): Promise<void> {
  benchFft();
  const clips = await ensureEvalSet();
  const require = createRequire(import.meta.url);
  const { EssentiaWASM, Essentia } = require('essentia.js') as { EssentiaWASM: unknown; Essentia: new (wasm: unknown) => Essentia };
  const essentia = new Essentia(EssentiaWASM);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-beats-bench-'));
  const service = new BeatAnalysisService({ ffmpegPath: 'ffmpeg', cacheDir });
  await service.analyse(clips[0]!.file, { refresh: true }); // warm-up: fluent-ffmpeg's one-time capability probe

  let fOurs = 0;
  let fEssentia = 0;
  let fBaseline = 0;
  let oursSec = 0;
  let essentiaSec = 0;
  for (const clip of clips) {
    let t0 = performance.now();
    const ours = await service.analyse(clip.file, { refresh: true });
    oursSec += (performance.now() - t0) / 1000;

    const pcm = await decodeForEssentia(clip.file);
    t0 = performance.now();
    const vector = essentia.arrayToVector(pcm);
    const rhythm = essentia.RhythmExtractor2013(vector, 208, 'multifeature', 40);
    const ticks = Array.from(essentia.vectorToArray(rhythm.ticks));
    essentiaSec += (performance.now() - t0) / 1000;
    vector.delete?.();

    // librosa-style baseline: same onset envelope, one global tempo, no metrical-level check.
    const features = await extractFeatures(clip.file, { ffmpegPath: 'ffmpeg' });
    const baseline = trackBeats({ onsetEnvelope: features.onsetEnvelope, frameRms: features.frameRms, rms: Math.sqrt(features.sumSquares / features.sampleCount) }, { variableTempo: false, metricalLevel: false });

    const f1 = beatFMeasure(clip.beatTimesSec, ours.beatTimesSec);
    const f2 = beatFMeasure(clip.beatTimesSec, ticks);
    const f3 = beatFMeasure(clip.beatTimesSec, baseline.beatTimesSec);
    fOurs += f1;
    fEssentia += f2;
    fBaseline += f3;
    console.log(`# ${clip.id.padEnd(22)} F ours ${f1.toFixed(3)} (${ours.tempoBpm.toFixed(1)} BPM)  essentia ${f2.toFixed(3)} (${rhythm.bpm.toFixed(1)} BPM)  baseline ${f3.toFixed(3)}  truth ${clip.bpm} BPM`);
  }
  bench('beats.clips', clips.length, 'clips');
  bench('beats.f_ours', fOurs / clips.length, 'F');
  bench('beats.f_essentia', fEssentia / clips.length, 'F');
  bench('beats.f_librosa_style_baseline', fBaseline / clips.length, 'F');
  bench('beats.f_margin_vs_essentia', (fOurs - fEssentia) / clips.length, 'F');
  bench('beats.seconds_ours_total', oursSec, 's');
  bench('beats.seconds_essentia_total', essentiaSec, 's');
  bench('beats.speedup_vs_essentia', essentiaSec / oursSec, 'x');

  // A 5-minute song as a user would have it (MP3), analysed from scratch by the service (decode included).
  const fiveMin = await longFile(clips, 5, 'five-minutes.mp3', ['-c:a', 'libmp3lame', '-b:a', '128k']);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 3; i++) {
    const c0 = cpuSecondsWithChildren();
    const t0 = performance.now();
    await service.analyse(fiveMin, { refresh: true });
    times.push((performance.now() - t0) / 1000);
    const c1 = cpuSecondsWithChildren();
    if (c0 !== null && c1 !== null) cpu.push(c1 - c0);
  }
  bench('beats.seconds_5min', Math.min(...times), 's');
  bench('beats.seconds_5min_median', times.sort((a, b) => a - b)[1]!, 's');
  // Wall time depends on what else the two cores run; CPU time (node + ffmpeg) is the work itself.
  if (cpu.length) bench('beats.cpu_seconds_5min', Math.min(...cpu), 's');
  bench('beats.load_average_1min', os.loadavg()[0]!, 'procs');

  // Peak RSS of a fresh process analysing a 60-minute file (streamed: should not grow with length).
  const hour = await longFile(clips, 60, 'sixty-minutes.flac', ['-c:a', 'flac']);
  const child = await run(process.execPath, ['--import', 'tsx', path.join(path.dirname(new URL(import.meta.url).pathname), 'beats-rss-child.ts'), hour, cacheDir], { maxBuffer: 1 << 20 });
  const report = JSON.parse(child.stdout.trim().split('\n').pop()!) as { peakRssMb: number; seconds: number; durationSec: number };
  bench('beats.peak_rss_60min', report.peakRssMb, 'MB');
  bench('beats.seconds_60min', report.seconds, 's');
  fs.rmSync(cacheDir, { recursive: true, force: true });
}
