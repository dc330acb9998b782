/**
 * The bar-pointer decoder on activations built in the test (no model): steady tempo, a tempo change, 3/4, 5/4,
 * silence, noisy activations with missing beats, a 5-minute song.
 */
import { describe, expect, it } from 'vitest';
import { decodeBarPointer, rankMeters } from '../../../electron/services/audio/bar-pointer-dbn';
import { rng } from '../../fixtures/beats-eval/compose';

const FPS = 22050 / 512;

interface Built {
  beat: Float32Array;
  downbeat: Float32Array;
  /** True beat times (s) and which of them are downbeats. */
  times: number[];
  isDownbeat: boolean[];
}

/**
 * Activations as a network would give them: a peak (width ~2 frames) at every beat, the downbeat activation also
 * peaking on the first beat of each bar, a noise floor, and optionally beats the "network" missed.
 */
function build(durationSec: number, beatsAt: { times: number[]; beatsPerBar: number }, opts: { noise?: number; seed?: number; dropEvery?: number; strength?: number } = {}): Built {
  const n = Math.ceil(durationSec * FPS);
  const beat = new Float32Array(n);
  const downbeat = new Float32Array(n);
  const random = rng(opts.seed ?? 7);
  const noise = opts.noise ?? 0.02;
  for (let t = 0; t < n; t++) {
    beat[t] = noise * random();
    downbeat[t] = noise * random();
  }
  const isDownbeat = beatsAt.times.map((_, i) => i % beatsAt.beatsPerBar === 0);
  beatsAt.times.forEach((sec, i) => {
    if (opts.dropEvery && i % opts.dropEvery === opts.dropEvery - 1) return;
    const c = sec * FPS;
    const height = opts.strength ?? 0.9;
    for (let t = Math.floor(c) - 3; t <= Math.ceil(c) + 3; t++) {
      if (t < 0 || t >= n) continue;
      const v = height * Math.exp(-0.5 * ((t - c) / 0.8) ** 2);
      beat[t] = Math.max(beat[t]!, v);
      if (isDownbeat[i]) downbeat[t] = Math.max(downbeat[t]!, 0.8 * v);
    }
  });
  return { beat, downbeat, times: beatsAt.times, isDownbeat };
}

const grid = (start: number, bpm: number, until: number) => {
  const out: number[] = [];
  for (let t = start; t < until; t += 60 / bpm) out.push(t);
  return out;
};

function decode(b: Built, blocked?: Uint8Array) {
  const r = decodeBarPointer(b.beat, b.downbeat, { fps: FPS, blocked });
  return { ...r, times: r.beats.map((x) => x.position / FPS) };
}

/** Share of true beats with a decoded beat within 70 ms, and of decoded beats with a true one (precision). */
function match(truth: number[], found: number[]) {
  const hit = (a: number[], b: number[]) => a.filter((t) => b.some((u) => Math.abs(u - t) <= 0.07)).length;
  return { recall: hit(truth, found) / truth.length, precision: hit(found, truth) / Math.max(1, found.length) };
}

/** Decoded downbeats must sit on true downbeats (and every true downbeat be found). */
function downbeatMatch(b: Built, r: ReturnType<typeof decode>) {
  const trueDown = b.times.filter((_, i) => b.isDownbeat[i]);
  const found = r.beats.filter((x) => x.beatInBar === 1).map((x) => x.position / FPS);
  return match(trueDown, found);
}

describe('bar-pointer DBN', () => {
  it('decodes a steady 120 BPM 4/4 song: every beat, the meter, downbeats on the ones, bars counted', () => {
    const b = build(30, { times: grid(0.5, 120, 29.5), beatsPerBar: 4 });
    const r = decode(b);
    expect(r.beatsPerBar).toBe(4);
    const m = match(b.times, r.times);
    expect(m.recall).toBe(1);
    expect(m.precision).toBe(1);
    const d = downbeatMatch(b, r);
    expect(d.recall).toBe(1);
    expect(d.precision).toBe(1);
    // Bars count up by one at every downbeat; positions run 1..4.
    const downs = r.beats.filter((x) => x.beatInBar === 1);
    downs.forEach((x, i) => expect(x.barIndex).toBe(i));
    expect(new Set(r.beats.map((x) => x.beatInBar))).toEqual(new Set([1, 2, 3, 4]));
    // Confidence comes from the activations: strong peaks give high confidence.
    expect(Math.min(...r.beats.map((x) => x.confidence))).toBeGreaterThan(0.5);
  });

  it('follows a tempo change from 90 to 140 BPM', () => {
    const first = grid(0.4, 90, 15);
    const last = first.at(-1)!;
    const second = grid(last + 60 / 140, 140, 30);
    const b = build(30, { times: [...first, ...second], beatsPerBar: 4 });
    const r = decode(b);
    const m = match(b.times, r.times);
    expect(m.recall).toBeGreaterThan(0.95);
    expect(m.precision).toBeGreaterThan(0.95);
    expect(downbeatMatch(b, r).recall).toBeGreaterThan(0.9);
  });

  it('finds 3/4 (waltz) and puts the downbeats on the ones', () => {
    const b = build(30, { times: grid(0.3, 150, 29.5), beatsPerBar: 3 });
    const r = decode(b);
    expect(r.beatsPerBar).toBe(3);
    expect(match(b.times, r.times).recall).toBe(1);
    const d = downbeatMatch(b, r);
    expect(d.recall).toBe(1);
    expect(d.precision).toBe(1);
  });

  it('finds 5/4', () => {
    const b = build(40, { times: grid(0.6, 110, 39.5), beatsPerBar: 5 }, { noise: 0.05, seed: 3 });
    const r = decode(b);
    expect(r.beatsPerBar).toBe(5);
    expect(match(b.times, r.times).recall).toBeGreaterThan(0.97);
    const d = downbeatMatch(b, r);
    expect(d.recall).toBeGreaterThan(0.9);
    expect(d.precision).toBeGreaterThan(0.9);
  });

  it('keeps the beat through missed beats and noise (a network is never clean)', () => {
    const b = build(30, { times: grid(0.5, 100, 29.5), beatsPerBar: 4 }, { noise: 0.15, seed: 11, dropEvery: 5, strength: 0.7 });
    const r = decode(b);
    const m = match(b.times, r.times);
    expect(m.recall).toBeGreaterThan(0.95); // the dropped beats are filled in by the tempo
    expect(m.precision).toBeGreaterThan(0.95);
    // Filled-in beats have low confidence (no activation there).
    const dropped = b.times.filter((_, i) => i % 5 === 4);
    const filled = r.beats.filter((x) => dropped.some((t) => Math.abs(t - x.position / FPS) < 0.07));
    expect(filled.length).toBeGreaterThan(0);
    for (const x of filled) expect(x.confidence).toBeLessThan(0.3);
  });

  it('puts no beats in silence (the silence gate) and picks the beat up again after it', () => {
    const truth = [...grid(0.5, 120, 10), ...grid(16, 120, 26)];
    const b = build(26, { times: truth, beatsPerBar: 4 });
    const blocked = new Uint8Array(b.beat.length);
    for (let t = Math.round(10.3 * FPS); t < Math.round(15.8 * FPS); t++) {
      blocked[t] = 1;
      b.beat[t] = 0;
      b.downbeat[t] = 0;
    }
    const r = decode(b, blocked);
    expect(r.times.filter((t) => t > 10.3 && t < 15.8)).toEqual([]);
    expect(match(truth, r.times).recall).toBeGreaterThan(0.97);
    // Without the gate the bar pointer would run on through the pause and place beats there.
    const ungated = decode(b);
    expect(ungated.times.filter((t) => t > 10.3 && t < 15.8).length).toBeGreaterThan(0);
  });

  it('returns nothing for all-silent activations', () => {
    const n = Math.round(20 * FPS);
    const r = decodeBarPointer(new Float32Array(n), new Float32Array(n), { fps: FPS });
    expect(r.beats).toEqual([]);
    expect(r.beatsPerBar).toBe(0);
  });

  it('ranks the true meter first from beat-synchronous downbeat strength', () => {
    const frames = Array.from({ length: 40 }, (_, i) => 10 + i * 20);
    for (const meter of [2, 3, 4, 5, 6, 7]) {
      const down = new Float32Array(1000);
      frames.forEach((f, i) => (down[f] = i % meter === 1 ? 0.9 : 0.1));
      expect(rankMeters(frames, down, [2, 3, 4, 5, 6, 7])[0]).toBe(meter);
    }
  });

  it('holds a 5-minute song (speed is measured by `npm run bench -- beats`, not asserted here)', () => {
    const b = build(300, { times: grid(0.5, 128, 299.5), beatsPerBar: 4 }, { noise: 0.1, seed: 5 });
    const r = decode(b);
    expect(match(b.times, r.times).recall).toBeGreaterThan(0.99);
    expect(downbeatMatch(b, r).precision).toBeGreaterThan(0.99);
  });
});
