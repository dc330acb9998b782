/**
 * The benchmark's other beat scores (CMLt/AMLt continuity, F at any metrical level) against mir_eval on random
 * estimates, and their meaning on clear cases (double tempo and off-beat are wrong at CML, right at AML).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { beatFMeasure, beatScores, continuity, referenceVariations, trimBeats } from '../../fixtures/beats-eval/beat-metrics';
import { rng } from '../../fixtures/beats-eval/compose';

const PYTHON = process.env.MUSEDANCE_PYTHON || '/usr/bin/python3';
const grid = (start: number, step: number, count: number) => Array.from({ length: count }, (_, i) => Math.round((start + i * step) * 1e6) / 1e6);

describe('continuity and any-level scores', () => {
  const truth = grid(0, 0.5, 80); // 120 BPM for 40 s

  it('perfect, double tempo, off-beat: CMLt and AMLt tell the metrical level apart', () => {
    const ref = trimBeats(truth);
    expect(continuity(ref, ref)).toEqual({ cmlc: 1, cmlt: 1, amlc: 1, amlt: 1 });
    const double = continuity(ref, trimBeats(grid(0, 0.25, 160)));
    expect(double.cmlt).toBe(0);
    expect(double.amlt).toBeGreaterThan(0.95);
    const offbeat = continuity(ref, trimBeats(grid(0.25, 0.5, 79)));
    expect(offbeat.cmlt).toBe(0);
    expect(offbeat.amlt).toBeGreaterThan(0.95);
    const s = beatScores(truth, grid(0, 1, 40), truth.filter((_, i) => i % 4 === 0), grid(0, 2, 20));
    expect(s.f).toBeCloseTo(2 / 3, 2);
    expect(s.fAnyLevel).toBe(1);
    expect(s.downbeatF).toBe(1);
  });

  it('agrees with mir_eval.beat.continuity and the best f_measure over its reference variations', () => {
    const random = rng(4321);
    const cases: Array<{ ref: number[]; est: number[] }> = [];
    for (let c = 0; c < 30; c++) {
      const period = 0.3 + random() * 0.6;
      const ref = grid(random(), period, Math.floor(30 / period));
      const scale = [1, 2, 0.5, 1, 1][c % 5]!;
      const est = grid(random() * 0.3 + (c % 4 === 1 ? period / 2 : 0), period / scale * (1 + (random() - 0.5) * 0.04), Math.floor((30 * scale) / period))
        .filter(() => random() > 0.1)
        .map((t) => Math.round(Math.max(0, t + (random() - 0.5) * 0.08) * 1e4) / 1e4)
        .sort((a, b) => a - b);
      cases.push({ ref, est });
    }
    const script = [
      'import json, sys, warnings',
      'import numpy as np, mir_eval',
      'warnings.simplefilter("ignore")',
      'out = []',
      'for c in json.load(sys.stdin):',
      '    r = mir_eval.beat.trim_beats(np.array(c["ref"])); e = mir_eval.beat.trim_beats(np.array(c["est"]))',
      '    cont = mir_eval.beat.continuity(r, e)',
      '    anyf = max(mir_eval.beat.f_measure(v, e, 0.07) for v in mir_eval.beat._get_reference_beat_variations(r))',
      '    out.append([cont[1], cont[3], cont[0], cont[2], anyf])',
      'print(json.dumps(out))',
    ].join('\n');
    const theirs = JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' })) as number[][];
    expect(theirs).toHaveLength(cases.length);
    cases.forEach((c, i) => {
      const ref = trimBeats(c.ref);
      const est = trimBeats(c.est);
      const ours = continuity(ref, est);
      const anyF = Math.max(...referenceVariations(ref).map((v) => beatFMeasure(v, est, 0.07, 0)));
      expect([ours.cmlt, ours.amlt, ours.cmlc, ours.amlc, anyF].map((x) => x.toFixed(9))).toEqual(theirs[i]!.map((x) => x.toFixed(9)));
    });
    expect(new Set(theirs.map((t) => t[1]!.toFixed(2))).size).toBeGreaterThan(5); // the cases really differ
  });
});
