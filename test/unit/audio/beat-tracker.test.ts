/** The tracker on signals synthesised in the test (no ffmpeg): clicks, tempo changes, noise, silence, anchors. */
import { describe, expect, it } from 'vitest';
import { ANALYSIS_SAMPLE_RATE as SR } from '../../../electron/services/audio/analysis-params';
import { OnsetStream } from '../../../electron/services/audio/onset-stream';
import { trackBeats, type TrackOptions } from '../../../electron/services/audio/track-beats';
import { PeakPyramidBuilder } from '../../../electron/services/audio/waveform-peaks';
import { peakLevelSizes } from '../../../electron/services/audio/analysis-cache';
import { beatFMeasure } from '../../fixtures/beats-eval/beat-metrics';
import { rng } from '../../fixtures/beats-eval/compose';

/** Decaying noise bursts ("hits") at the given times, louder on every `accentEvery`-th. */
function hits(timesSec: number[], durationSec: number, seed = 1): Float32Array {
  const x = new Float32Array(Math.round(durationSec * SR));
  const random = rng(seed);
  timesSec.forEach((t, i) => {
    const start = Math.round(t * SR);
    const amp = i % 4 === 0 ? 0.8 : 0.5;
    for (let k = 0; k < 0.08 * SR && start + k < x.length; k++) x[start + k] = x[start + k]! + amp * (random() * 2 - 1) * Math.exp(-k / (0.015 * SR));
  });
  return x;
}

function analyse(x: Float32Array, options: TrackOptions = {}) {
  const stream = new OnsetStream();
  // Uneven chunk sizes, as ffmpeg delivers them.
  for (let i = 0, n = 777; i < x.length; i += n, n = 500 + ((n * 7) % 9000)) stream.push(x.subarray(i, i + n));
  const f = stream.finish();
  return trackBeats({ onsetEnvelope: f.onsetEnvelope, frameRms: f.frameRms, rms: Math.sqrt(f.sumSquares / Math.max(1, f.sampleCount)) }, options);
}

const grid = (startSec: number, bpm: number, untilSec: number) => {
  const out: number[] = [];
  for (let t = startSec; t < untilSec; t += 60 / bpm) out.push(t);
  return out;
};

describe('beat tracker', () => {
  it('finds every beat of a 100 BPM pulse, with the right tempo and high confidence', () => {
    const truth = grid(0.3, 100, 20);
    const r = analyse(hits(truth, 20));
    expect(r.tempoBpm).toBeGreaterThan(98.5);
    expect(r.tempoBpm).toBeLessThan(101.5);
    expect(beatFMeasure(truth, r.beatTimesSec)).toBeGreaterThan(0.97);
    expect(r.confidence).toBeGreaterThan(0.6);
    expect(r.beatConfidence).toHaveLength(r.beatTimesSec.length);
    expect(r.onsetTimesSec.length).toBeGreaterThanOrEqual(truth.length - 2);
    // Half/double alternatives are every other beat / beats plus midpoints.
    expect(Math.abs(r.halfBeatTimesSec.length - r.beatTimesSec.length / 2)).toBeLessThanOrEqual(1);
    expect(r.doubleBeatTimesSec).toHaveLength(2 * r.beatTimesSec.length - 1);
  });

  it('follows a tempo change (90 -> 130 BPM)', () => {
    const first = grid(0.2, 90, 15);
    const truth = [...first, ...grid(first.at(-1)! + 60 / 130, 130, 32)];
    expect(beatFMeasure(truth, analyse(hits(truth, 32)).beatTimesSec)).toBeGreaterThan(0.95);
  });

  it('gives noise a much lower confidence than music', () => {
    const random = rng(7);
    const noise = Float32Array.from({ length: 20 * SR }, () => 0.3 * (random() * 2 - 1));
    const pulse = analyse(hits(grid(0.3, 120, 20), 20));
    expect(analyse(noise).confidence).toBeLessThan(pulse.confidence - 0.3);
  });

  it('returns no beats and zero confidence for silence', () => {
    const r = analyse(new Float32Array(10 * SR));
    expect(r.silent).toBe(true);
    expect(r.beatTimesSec).toEqual([]);
    expect(r.confidence).toBe(0);
  });

  it('puts no beats in a silent gap inside a song', () => {
    const truth = [...grid(0.3, 120, 8), ...grid(14, 120, 22)];
    const r = analyse(hits(truth, 22));
    // The gate looks 0.5 s around each frame, so a beat may ring on just after the music stops, not further.
    expect(r.beatTimesSec.filter((t) => t > 8.9 && t < 13.1)).toEqual([]);
    expect(r.beatTimesSec.filter((t) => t > 14.2).length).toBeGreaterThan(12);
  });

  it('keeps anchored beats at exactly their time and fits the others around them', () => {
    const truth = grid(0.3, 100, 20);
    const anchors = [5.123, 12.345];
    const r = analyse(hits(truth, 20), { anchoredSec: anchors });
    for (const a of anchors) expect(r.beatTimesSec).toContain(a);
    // No detected beat crowds an anchor (closer than a third of a beat).
    for (const a of anchors) expect(r.beatTimesSec.filter((t) => t !== a && Math.abs(t - a) < 0.2)).toEqual([]);
  });

  it('forces a tempo when asked (half-tempo fix)', () => {
    const truth = grid(0.3, 100, 20);
    const r = analyse(hits(truth, 20), { tempoBpm: 50 });
    expect(r.tempoBpm).toBeGreaterThan(48);
    expect(r.tempoBpm).toBeLessThan(52);
  });
});

describe('waveform peak pyramid', () => {
  it('holds min/max per bucket at every level, quantised to int8', () => {
    const x = Float32Array.from({ length: 100_000 }, (_, i) => (i >= 1000 && i < 1128 ? 1 : i === 50_000 ? -0.5 : 0));
    const b = new PeakPyramidBuilder();
    b.push(x.subarray(0, 33_333));
    b.push(x.subarray(33_333));
    const levels = b.finish();
    expect(levels.map((l) => l.minMax.length / 2)).toEqual(peakLevelSizes(x.length).map((s) => s.pairs));
    const base = levels[0]!;
    const bucket = Math.floor(1000 / base.samplesPerPeak);
    expect(base.minMax[2 * bucket + 1]).toBe(127);
    expect(base.minMax[2 * Math.floor(50_000 / base.samplesPerPeak)]).toBe(-63);
    const top = levels.at(-1)!;
    expect(Math.max(...top.minMax)).toBe(127);
    expect(Math.min(...top.minMax)).toBe(-63);
  });
});
