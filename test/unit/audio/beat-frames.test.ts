import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { beatFrame, beatFramesInSegment, beatOneHot, segmentStartSec } from '../../../electron/shared/domain/beat-frames';
import { rng } from '../../fixtures/beats-eval/compose';

const PYTHON = process.env.MUSEDANCE_PYTHON || '/usr/bin/python3';

describe('beat -> frame mapping (PACK.md "Beats")', () => {
  it('rounds half up relative to the segment start', () => {
    expect(beatFrame(4 - 0.5 / 12, 4, 12)).toBe(0); // exactly half a frame early -> frame 0
    expect(beatFrame(4 - 0.51 / 12, 4, 12)).toBe(-1);
    expect(beatFrame(4.5, 4, 12)).toBe(6);
    expect(beatFrame(4.54, 4, 12)).toBe(6);
    expect(beatFrame(1.125, 0, 12)).toBe(14); // 13.5 -> 14 (half up, not banker's rounding)
  });

  it('builds the K-long one-hot with only the beats inside the segment', () => {
    const oneHot = beatOneHot([3.9, 4.0, 4.5, 7.95, 8.0, Number.NaN], segmentStartSec(48, 12), 12, 48);
    expect(oneHot).toBeInstanceOf(Float32Array);
    expect(oneHot.length).toBe(48);
    expect([...oneHot.keys()].filter((i) => oneHot[i] === 1)).toEqual([0, 6, 47]);
    expect(beatFramesInSegment([4.0, 4.01, 4.02], 4, 12, 48)).toEqual([0]); // several beats on one frame: one 1
    expect(() => beatOneHot([], 0, 12, 0)).toThrow(RangeError);
  });

  it('is identical to the training-data rule (musedance_models.beats.beat_onehot)', () => {
    const random = rng(99);
    const cases = Array.from({ length: 200 }, (_, i) => {
      const fps = [12, 8, 24, 25][i % 4]!;
      const start = Math.floor(random() * 40) / fps;
      // Beats on and next to half-frame boundaries, where rounding rules differ.
      const beats = Array.from({ length: 12 }, () => start + (Math.floor(random() * 120) - 10 + 0.5 + (random() < 0.5 ? 0 : (random() - 0.5) * 1e-6)) / fps);
      return { beats, start, fps, k: 48 };
    });
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(path.resolve('native-models'))})`,
      'from musedance_models.beats import beat_onehot',
      'cases = json.load(sys.stdin)',
      'print(json.dumps([[int(v) for v in beat_onehot(c["beats"], c["start"], c["fps"], c["k"])] for c in cases]))',
    ].join('\n');
    const theirs = JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' })) as number[][];
    cases.forEach((c, i) => expect(Array.from(beatOneHot(c.beats, c.start, c.fps, c.k))).toEqual(theirs[i]));
  });
});
