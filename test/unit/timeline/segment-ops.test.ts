import { describe, expect, it } from 'vitest';
import * as seg from '../../../renderer/src/shared/segment-ops';

let n = 0;
const newId = () => `s${n++}`;

describe('segment ops', () => {
  it('cuts a song into K-frame segments covering every frame (48 frames = 4 s at 12 fps)', () => {
    const out = seg.layoutSegments([], 10, 12, 48, newId);
    expect(out.map((s) => [s.startFrame, s.frames])).toEqual([[0, 48], [48, 48], [96, 48]]);
    expect(new Set(out.map((s) => s.seed)).size).toBe(3);
    expect(out.every((s) => /^#[0-9a-f]{6}$/i.test(s.colour) && s.prompt === '' && s.takes.length === 0)).toBe(true);
    expect(seg.segmentCount(8, 12, 48)).toBe(2);
    expect(seg.segmentCount(8.01, 12, 48)).toBe(3);
  });

  it('re-layout keeps prompts by position and marks takes stale when a segment covers other frames', () => {
    const first = seg.layoutSegments([], 8, 12, 48, newId).map((s, i) => ({ ...s, prompt: `p${i}`, takes: [{ id: 't1', path: 'takes/t1', createdAt: 'x', seed: 1, steps: 20, guidance: 3, packId: 'tiny', stale: false }] }));
    const same = seg.layoutSegments(first, 8, 12, 48, newId);
    expect(same.map((s) => s.prompt)).toEqual(['p0', 'p1']);
    expect(same[0]!.takes[0]!.stale).toBe(false);
    const regrid = seg.layoutSegments(first, 8, 12, 24, newId);
    expect(regrid).toHaveLength(4);
    expect(regrid[1]!.prompt).toBe('p1');
    expect(regrid[1]!.takes[0]!.stale).toBe(true);
    expect(regrid[3]!.prompt).toBe('');
  });

  it('sets one prompt for a range of segments selected in either direction', () => {
    const segments = seg.layoutSegments([], 20, 12, 48, newId);
    const range = seg.segmentRange(segments, 3, 1);
    expect([...range]).toEqual(segments.slice(1, 4).map((s) => s.id));
    const out = seg.updateSegments(segments, range, { prompt: 'chorus: spin' });
    expect(out.map((s) => s.prompt)).toEqual(['', 'chorus: spin', 'chorus: spin', 'chorus: spin', '']);
    expect(seg.segmentIndexAtFrame(out, 100)).toBe(2);
  });
});
