/**
 * From activations to a BeatTrack (no model): tempo, bars and bar numbers, confidence, the silence gate from the
 * frame RMS (a quiet stretch holds no beat even when the activations claim one), a silent file.
 */
import { describe, expect, it } from 'vitest';
import { FRAME_RATE } from '../../../electron/services/audio/analysis-params';
import { trackBeatsNet } from '../../../electron/services/audio/track-beats-net';

const FPS = FRAME_RATE;

function input(durationSec: number, bpm: number, beatsPerBar: number, firstSec: number, quiet: [number, number] | null = null) {
  const n = Math.ceil(durationSec * FPS);
  const beat = new Float32Array(n);
  const downbeat = new Float32Array(n);
  let i = 0;
  for (let t = firstSec; t < durationSec - 0.1; t += 60 / bpm, i++) {
    const f = Math.round(t * FPS);
    beat[f] = 0.95;
    beat[f + 1] = 0.4;
    if (i % beatsPerBar === 0) downbeat[f] = 0.9;
  }
  const frameRms = new Float32Array(n).fill(0.1);
  if (quiet) for (let f = Math.round(quiet[0] * FPS); f < Math.round(quiet[1] * FPS); f++) frameRms[f] = 0;
  return { activations: { fps: FPS, beat, downbeat }, onsetEnvelope: new Float32Array(n), frameRms, rms: 0.1 };
}

describe('trackBeatsNet', () => {
  it('gives tempo, bars and bar numbers counted from the first downbeat', () => {
    const t = trackBeatsNet(input(30, 100, 3, 0.4));
    expect(t.tempoBpm).toBeGreaterThan(99);
    expect(t.tempoBpm).toBeLessThan(101);
    expect(t.beatsPerBar).toBe(3);
    expect(t.beatInBar!.slice(0, 6)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(t.barOfBeat!.slice(0, 7)).toEqual([1, 1, 1, 2, 2, 2, 3]);
    expect(t.beatTimesSec[0]).toBeCloseTo(0.4, 1);
    expect(t.confidence).toBeGreaterThan(0.8);
    expect(t.halfBeatTimesSec.length).toBeLessThan(t.beatTimesSec.length);
    expect(t.tempoCurveBpm.every((b) => b > 90 && b < 110)).toBe(true);
  });

  it('puts no beat where the audio is silent, even where the activations say beat', () => {
    const t = trackBeatsNet(input(30, 120, 4, 0.5, [12, 18]));
    expect(t.beatTimesSec.filter((s) => s > 12.6 && s < 17.4)).toEqual([]);
    expect(t.beatTimesSec.filter((s) => s > 20).length).toBeGreaterThan(15);
    expect(t.beatInBar).toHaveLength(t.beatTimesSec.length);
  });

  it('a silent file has no beats', () => {
    const x = input(10, 120, 4, 0.5);
    const t = trackBeatsNet({ ...x, rms: 0, frameRms: new Float32Array(x.frameRms.length) });
    expect(t.silent).toBe(true);
    expect(t.beatTimesSec).toEqual([]);
  });
});
