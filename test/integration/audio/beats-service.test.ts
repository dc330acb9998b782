/**
 * The music analysis service end to end on real ffmpeg: accuracy floor on the generated evaluation set,
 * cache, peaks windows, re-detection around anchors, cancellation, CLI output, and bad input (silence, a
 * 1-second file, corrupt/empty/missing files, folders, FIFOs, video without audio) as error values.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../electron/services/config';
import { createStudio, type Studio } from '../../../electron/services/composition-root';
import { runCli } from '../../../electron/cli/main';
import type { BeatAnalysis } from '../../../electron/shared/domain/beat-analysis';
import { beatFMeasure } from '../../fixtures/beats-eval/beat-metrics';
import { ensureEvalSet, type EvalClip } from '../../fixtures/beats-eval/generate';

/** A hard subset of the evaluation set (the full set runs in `npm run bench -- beats`). */
const SUBSET = ['pop-120', 'change-96-132', 'swing-150', 'strings-84-nodrums', 'six-eight-66', 'five-132'];

let dir: string;
let dataDir: string;
let studio: Studio;
let clips: EvalClip[];
const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);

async function analyse(file: string, extra: Record<string, unknown> = {}) {
  return studio.registry.dispatch('beats.analyse', { path: file, ...extra });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-beats-it-'));
  dataDir = path.join(dir, 'data');
  process.env.MUSEDANCE_DATA_DIR = dataDir;
  studio = createStudio('test', { ...loadConfig(), dataDir });
  clips = await ensureEvalSet({ only: SUBSET });
}, 300_000);

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('beats.analyse on the evaluation set', () => {
  it('meets the accuracy floor and beats a librosa-style single-tempo tracker on the tempo change', async () => {
    const scores: Record<string, number> = {};
    for (const clip of clips) {
      const r = await analyse(clip.file);
      expect(r.ok).toBe(true);
      const a = (r as { value: BeatAnalysis }).value;
      scores[clip.id] = beatFMeasure(clip.beatTimesSec, a.beatTimesSec);
      expect(a.beatConfidence).toHaveLength(a.beatTimesSec.length);
      expect(a.confidence).toBeGreaterThan(0.3);
      expect(Math.abs(a.durationSec - clip.durationSec)).toBeLessThan(0.1);
    }
    const mean = Object.values(scores).reduce((x, y) => x + y, 0) / clips.length;
    expect(mean, JSON.stringify(scores)).toBeGreaterThan(0.93);
    for (const [id, f] of Object.entries(scores)) expect(f, id).toBeGreaterThan(0.85);
  });

  it('serves the second analysis from the cache (same result, no decode)', async () => {
    const file = clips[0]!.file;
    const first = (await analyse(file)) as { ok: true; value: BeatAnalysis };
    const t0 = performance.now();
    const again = (await analyse(file)) as { ok: true; value: BeatAnalysis };
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(again.value).toEqual(first.value);
    expect(fs.readdirSync(path.join(dataDir, 'cache', 'beats')).some((f) => f.startsWith(first.value.sha256))).toBe(true);
  });

  it('reports progress for a job, ending at 1', async () => {
    const events: Array<{ fraction: number | null; message: string; jobId: string }> = [];
    const r = await studio.registry.dispatch(
      'beats.analyse',
      { path: clips[0]!.file, refresh: true },
      { jobId: 'progress-1', emit: (event, payload) => event === 'job.progress' && events.push(payload as never) },
    );
    expect(r.ok).toBe(true);
    expect(events.length).toBeGreaterThan(2);
    expect(events.every((e) => e.jobId === 'progress-1')).toBe(true);
    const fractions = events.map((e) => e.fraction).filter((f): f is number => f !== null);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
  });

  it('returns overview peaks and any window of finer peaks', async () => {
    const file = clips[0]!.file;
    const a = ((await analyse(file)) as { ok: true; value: BeatAnalysis }).value;
    expect(a.peaks.levels.length).toBeGreaterThan(0);
    for (const level of a.peaks.levels) expect(level.minMax.length / 2).toBe(Math.ceil(a.peaks.sampleCount / level.samplesPerPeak));
    expect(Math.max(...a.peaks.levels[0]!.minMax)).toBeGreaterThan(60); // the clip is normalised near full scale
    const finest = a.peaks.availableSamplesPerPeak[0]!;
    const w = await studio.registry.dispatch('beats.peaks', { path: file, samplesPerPeak: finest, startSec: 10, endSec: 11 });
    expect(w.ok).toBe(true);
    const { level, sampleRate } = (w as { ok: true; value: { sampleRate: number; level: { samplesPerPeak: number; startPeak: number; minMax: number[] } } }).value;
    expect(level.samplesPerPeak).toBe(finest);
    expect(level.startPeak).toBe(Math.floor((10 * sampleRate) / finest));
    expect(level.minMax.length / 2).toBe(Math.ceil((11 * sampleRate) / finest) - level.startPeak);
    const bad = await studio.registry.dispatch('beats.peaks', { path: file, samplesPerPeak: finest, startSec: 5, endSec: 4 });
    expect(bad.ok).toBe(false);
  });

  it('re-detects a region around anchored beats and can force half tempo', async () => {
    const clip = clips.find((c) => c.id === 'pop-120')!;
    const anchors = [12.04, 14.51];
    const r = await studio.registry.dispatch('beats.redetect', { path: clip.file, startSec: 10, endSec: 20, anchoredSec: anchors });
    expect(r.ok).toBe(true);
    const v = (r as { ok: true; value: { beatTimesSec: number[]; tempoBpm: number } }).value;
    for (const a of anchors) expect(v.beatTimesSec).toContain(a);
    expect(v.beatTimesSec.every((t) => t >= 10 && t <= 20)).toBe(true);
    const truthInRegion = clip.beatTimesSec.filter((t) => t >= 10 && t <= 20);
    expect(beatFMeasure(truthInRegion, v.beatTimesSec, 0.07, 0)).toBeGreaterThan(0.85);
    const half = await studio.registry.dispatch('beats.redetect', { path: clip.file, startSec: 10, endSec: 20, tempoBpm: 60 });
    const hv = (half as { ok: true; value: { beatTimesSec: number[] } }).value;
    expect(hv.beatTimesSec.length).toBeGreaterThan(8);
    expect(hv.beatTimesSec.length).toBeLessThan(13);
  });
});

describe('beats on bad and edge-case input', () => {
  it('silence: no beats, zero confidence, flagged silent', async () => {
    const file = path.join(dir, 'silence.wav');
    ffmpeg('-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=stereo', '-t', '8', file);
    const r = (await analyse(file)) as { ok: true; value: BeatAnalysis };
    expect(r.ok).toBe(true);
    expect(r.value.silent).toBe(true);
    expect(r.value.beatTimesSec).toEqual([]);
    expect(r.value.confidence).toBe(0);
    expect(r.value.durationSec).toBeCloseTo(8, 1);
  });

  it('a 1-second file: an answer with low confidence, no crash', async () => {
    const file = path.join(dir, 'one-second.mp3');
    ffmpeg('-f', 'lavfi', '-i', 'sine=f=440:d=1', file);
    const r = (await analyse(file)) as { ok: true; value: BeatAnalysis };
    expect(r.ok).toBe(true);
    expect(r.value.durationSec).toBeGreaterThan(0.9);
    expect(r.value.beatTimesSec.length).toBeLessThan(4);
    expect(r.value.confidence).toBeLessThan(0.5);
  });

  it('corrupt, empty, missing, folder, FIFO and video-only inputs are clear error values', async () => {
    const corrupt = path.join(dir, 'corrupt.mp3');
    fs.writeFileSync(corrupt, Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 256)));
    const empty = path.join(dir, 'empty.wav');
    fs.writeFileSync(empty, '');
    const fifo = path.join(dir, 'pipe.wav');
    execFileSync('mkfifo', [fifo]);
    const video = path.join(dir, 'video-only.mp4');
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5', '-t', '1', '-pix_fmt', 'yuv420p', video);
    const expectations: Array<[string, string]> = [
      [corrupt, 'AUDIO_UNREADABLE'],
      [empty, 'AUDIO_UNREADABLE'],
      [path.join(dir, 'missing.wav'), 'AUDIO_NOT_FOUND'],
      [dir, 'AUDIO_NOT_A_FILE'],
      [fifo, 'AUDIO_NOT_A_FILE'],
      [video, 'AUDIO_NO_AUDIO_STREAM'],
    ];
    for (const [file, code] of expectations) {
      const r = await analyse(file);
      expect(r.ok, file).toBe(false);
      if (!r.ok) {
        expect(r.error.code, `${file}: ${r.error.message}`).toBe(code);
        expect(r.error.message.length).toBeLessThan(400);
      }
    }
    const hostile = await analyse('x\0y');
    expect(hostile.ok).toBe(false);
  });

  it('cancelling a job stops the decode promptly', async () => {
    const long = path.join(dir, 'long.flac');
    ffmpeg('-f', 'lavfi', '-i', 'sine=f=220:d=900:r=22050', '-c:a', 'flac', long);
    const pending = studio.registry.dispatch('beats.analyse', { path: long, refresh: true }, { jobId: 'cancel-me' });
    await new Promise((r) => setTimeout(r, 400));
    const t0 = performance.now();
    expect(studio.registry.cancel('cancel-me')).toBe(true);
    const r = await pending;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('CANCELLED');
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});

describe('musedance beats (CLI)', () => {
  it('prints exactly one JSON object with tempo, beats, confidence, onsets, alternatives and duration', async () => {
    const clip = clips.find((c) => c.id === 'pop-120')!;
    let out = '';
    const code = await runCli(['beats', clip.file, '--json', '--fps', '12'], { out: (s) => ((out += s), true), err: () => true });
    expect(code).toBe(0);
    const json = JSON.parse(out) as Record<string, unknown> & { beats: number[]; beatFrames: number[]; alternatives: { half: number[]; double: number[] } };
    for (const key of ['tempo', 'beats', 'confidence', 'onsets', 'alternatives', 'duration']) expect(json, key).toHaveProperty(key);
    expect(json.tempo).toBeGreaterThan(115);
    expect(json.tempo).toBeLessThan(125);
    expect(json.beatFrames).toEqual(json.beats.map((t) => Math.floor(t * 12 + 0.5)));
    expect(json.alternatives.half.length).toBeLessThan(json.beats.length);
    expect(json.alternatives.double.length).toBeGreaterThan(json.beats.length);
  });

  it('fails with one line and a non-zero exit on unreadable input', async () => {
    let out = '';
    let errText = '';
    const code = await runCli(['beats', path.join(dir, 'nope.mp3'), '--json'], { out: (s) => ((out += s), true), err: (s) => ((errText += s), true) });
    expect(code).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ ok: false, error: { code: 'AUDIO_NOT_FOUND' } });
    expect(errText.trim().split('\n')).toHaveLength(1);
  });
});
