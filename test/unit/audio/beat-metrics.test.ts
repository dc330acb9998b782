import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { beatFMeasure, countMatches } from '../../fixtures/beats-eval/beat-metrics';
import { rng } from '../../fixtures/beats-eval/compose';

const PYTHON = process.env.MUSEDANCE_PYTHON || '/usr/bin/python3';
const grid = (start: number, step: number, count: number) => Array.from({ length: count }, (_, i) => Math.round((start + i * step) * 1e6) / 1e6);

describe('beat F-measure (+-70 ms, first 5 s ignored)', () => {
  const truth = grid(0, 0.5, 60); // 120 BPM for 30 s

  it('is 1 for a perfect estimate and for one within the window', () => {
    expect(beatFMeasure(truth, truth)).toBe(1);
    expect(beatFMeasure(truth, truth.map((t) => t + 0.069))).toBe(1);
  });

  it('is 0 when every beat is outside the window or a list is empty', () => {
    expect(beatFMeasure(truth, truth.map((t) => t + 0.071))).toBe(0);
    expect(beatFMeasure(truth, [])).toBe(0);
    expect(beatFMeasure([], truth)).toBe(0);
  });

  it('scores double and half tempo as 2/3 (octave errors cost a third)', () => {
    expect(beatFMeasure(truth, grid(0, 0.25, 120))).toBeCloseTo(2 / 3, 2);
    expect(beatFMeasure(truth, grid(0, 1, 30))).toBeCloseTo(2 / 3, 2);
  });

  it('ignores beats before 5 s in both lists', () => {
    const wrongStart = [...grid(0.2, 0.5, 10), ...truth.filter((t) => t >= 5)];
    expect(beatFMeasure(truth, wrongStart)).toBe(1);
  });

  it('matches each beat at most once', () => {
    expect(countMatches([10], [9.99, 10.01], 0.07)).toBe(1);
    expect(countMatches([10, 10.1], [10.05], 0.07)).toBe(1);
  });

  it('agrees with mir_eval.beat.f_measure on random estimates', () => {
    const random = rng(1234);
    const cases: Array<{ ref: number[]; est: number[] }> = [];
    for (let c = 0; c < 40; c++) {
      const period = 0.3 + random() * 0.7;
      const ref = grid(random(), period, Math.floor(20 / period));
      // Jitter, drop, insert and shift beats so matches straddle the 70 ms edge.
      const est = ref
        .filter(() => random() > 0.15)
        .map((t) => t + (random() - 0.5) * 0.2 + (c % 3 === 0 ? period / 2 : 0))
        .concat(Array.from({ length: Math.floor(random() * 6) }, () => random() * 20))
        .map((t) => Math.round(Math.max(0, t) * 1e4) / 1e4)
        .sort((a, b) => a - b);
      cases.push({ ref, est });
    }
    const script = [
      'import json, sys, warnings',
      'import numpy as np, mir_eval',
      'warnings.simplefilter("ignore")',
      'cases = json.load(sys.stdin)',
      'print(json.dumps([mir_eval.beat.f_measure(mir_eval.beat.trim_beats(np.array(c["ref"])), mir_eval.beat.trim_beats(np.array(c["est"])), 0.07) for c in cases]))',
    ].join('\n');
    const theirs = JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' })) as number[];
    const ours = cases.map((c) => beatFMeasure(c.ref, c.est));
    expect(theirs).toHaveLength(cases.length);
    ours.forEach((f, i) => expect(f).toBeCloseTo(theirs[i]!, 9));
    expect(new Set(ours.map((f) => f.toFixed(2))).size).toBeGreaterThan(10); // the cases really differ
  });
});
