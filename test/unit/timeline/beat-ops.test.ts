import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { BeatMarker } from '../../../electron/shared/domain/project';
import * as ops from '../../../renderer/src/features/timeline/beat-ops';

const beat = (id: string, timeSec: number, extra: Partial<BeatMarker> = {}): BeatMarker => ({ id, timeSec, source: 'detected', anchored: false, ...extra });
const grid = (n: number, period = 0.5) => Array.from({ length: n }, (_v, i) => beat(`b${i}`, i * period));
let counter = 0;
const newId = () => `n${counter++}`;
const times = (beats: BeatMarker[]) => beats.map((b) => b.timeSec);

describe('beat ops', () => {
  it('adds a user beat in time order', () => {
    const out = ops.addBeat(grid(3), 0.75, 'x');
    expect(times(out)).toEqual([0, 0.5, 0.75, 1]);
    expect(out[2]).toMatchObject({ id: 'x', source: 'user', anchored: false });
  });

  it('moves selected beats, clamps to the song and marks them as user beats', () => {
    const out = ops.moveBeats(grid(4), new Set(['b1', 'b3']), 0.2, 1.6);
    expect(times(out)).toEqual([0, 0.7, 1, 1.6]);
    expect(out.find((b) => b.id === 'b1')!.source).toBe('user');
    expect(out.find((b) => b.id === 'b0')!.source).toBe('detected');
  });

  it('deletes and shifts everything after the cursor', () => {
    expect(times(ops.deleteBeats(grid(4), new Set(['b2'])))).toEqual([0, 0.5, 1.5]);
    expect(times(ops.shiftAfter(grid(4), 1, 0.1, 10))).toEqual([0, 0.5, 1.1, 1.6]);
  });

  it('halves tempo keeping every other beat, and anchored beats always', () => {
    const beats = grid(6).map((b) => (b.id === 'b3' ? { ...b, anchored: true } : b));
    expect(times(ops.halveTempo(beats, null))).toEqual([0, 1, 1.5, 2]);
    // With a selection only the selected beats are thinned.
    expect(times(ops.halveTempo(grid(6), new Set(['b2', 'b3', 'b4'])))).toEqual([0, 0.5, 1, 2, 2.5]);
  });

  it('doubles tempo by inserting midpoints; halving that gives the original back', () => {
    const doubled = ops.doubleTempo(grid(4), null, newId);
    expect(times(doubled)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5]);
    expect(times(ops.halveTempo(doubled, null))).toEqual([0, 0.5, 1, 1.5]);
  });

  it('toggles anchors: anchors all when any is loose, releases when all are anchored', () => {
    const once = ops.toggleAnchor(grid(3), new Set(['b0', 'b1']));
    expect(once.map((b) => b.anchored)).toEqual([true, true, false]);
    expect(ops.toggleAnchor(once, new Set(['b0', 'b1'])).map((b) => b.anchored)).toEqual([false, false, false]);
  });

  it('snaps to the nearest onset within reach, never when free (Alt)', () => {
    const onsets = [1, 2, 3.02];
    expect(ops.snapToOnset(2.95, onsets, { free: false, maxDistSec: 0.1 })).toBe(3.02);
    expect(ops.snapToOnset(2.5, onsets, { free: false, maxDistSec: 0.1 })).toBe(2.5);
    expect(ops.snapToOnset(2.95, onsets, { free: true, maxDistSec: 0.1 })).toBe(2.95);
  });

  it('re-detects a region: replaces loose beats inside it, keeps anchored beats and beats outside', () => {
    const beats = [beat('a', 0.5), beat('b', 1.1, { source: 'user' }), beat('c', 1.6, { anchored: true }), beat('d', 3)];
    const out = ops.replaceRegion(beats, 1, 2, [0.4, 1.0, 1.5, 1.62, 2.0, 2.5], 'detected', newId);
    // 1.62 is within SAME_BEAT_SEC of the anchored 1.6 and is dropped; 0.4 and 2.5 are outside the region.
    expect(times(out)).toEqual([0.5, 1.0, 1.5, 1.6, 2.0, 3]);
    expect(out.find((b) => b.timeSec === 1.6)!.id).toBe('c');
  });

  it('fits tap tempo by least squares and tolerates one skipped tap', () => {
    const taps = [10, 10.5, 11.0, 12.0, 12.5];
    const fit = ops.tapTempo(taps)!;
    expect(fit.bpm).toBeCloseTo(120, 5);
    expect(fit.phaseSec).toBeCloseTo(10, 5);
    expect(ops.tapTempo([1, 2, 3])).toBeNull();
    expect(ops.gridTimes(9.9, 11.6, fit.periodSec, fit.phaseSec).map((t) => +t.toFixed(6))).toEqual([10, 10.5, 11, 11.5]);
  });

  it('every op keeps beats sorted and never mutates its input (property)', () => {
    const arbBeats = fc.uniqueArray(fc.double({ min: 0, max: 100, noNaN: true }), { maxLength: 40 }).map((ts) => ts.sort((a, b) => a - b).map((t, i) => beat(`p${i}`, t)));
    fc.assert(
      fc.property(arbBeats, fc.double({ min: -5, max: 5, noNaN: true }), (beats, delta) => {
        const frozen = JSON.stringify(beats);
        const ids = new Set(beats.filter((_b, i) => i % 3 === 0).map((b) => b.id));
        for (const out of [ops.moveBeats(beats, ids, delta, 100), ops.halveTempo(beats, null), ops.doubleTempo(beats, ids, newId), ops.shiftAfter(beats, 50, delta, 100)]) {
          for (let i = 1; i < out.length; i++) expect(out[i]!.timeSec).toBeGreaterThanOrEqual(out[i - 1]!.timeSec);
          for (const b of out) expect(b.timeSec).toBeGreaterThanOrEqual(0);
        }
        expect(JSON.stringify(beats)).toBe(frozen);
      }),
      { numRuns: 200 },
    );
  });

  it('merges imported markers: one within 70 ms of a beat replaces it, the rest of both are kept, in time order', () => {
    const current = [beat('a', 0.5), beat('b', 1.0, { anchored: true }), beat('c', 2.0)];
    const imported = [beat('x', 1.03, { source: 'user' }), beat('y', 3.0, { source: 'user' }), beat('z', 0.2, { source: 'user' })];
    const merged = ops.mergeBeats(current, imported);
    expect(merged.map((b) => [b.id, b.timeSec])).toEqual([['z', 0.2], ['a', 0.5], ['x', 1.03], ['c', 2.0], ['y', 3.0]]);
    expect(ops.mergeBeats([], imported)).toHaveLength(3);
    expect(ops.mergeBeats(current, [])).toEqual(current);
  });
});
