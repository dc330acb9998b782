/**
 * QA that means what it says (issue 23 #6): identity is measured on the subject, so frames whose figure is gone
 * warn even though the background still matches; beat alignment comes with its chance level.
 */
import { describe, expect, it } from 'vitest';
import { beatAlignmentChance, seamQa, subjectBox } from '../../../electron/services/inference/seam-qa';
import { beatsLabel, identityLabel } from '../../../renderer/src/shared/qa-labels';

const W = 48;
/** A 12x24 "figure" (bright, textured) at column x on a grey background. */
function figure(x: number | null): Uint8Array {
  const f = new Uint8Array(W * W * 3).fill(100);
  if (x === null) return f;
  for (let j = 12; j < 36; j++) for (let i = x; i < x + 12; i++) f.fill(150 + ((i * 7 + j * 13) % 100), (j * W + i) * 3, (j * W + i) * 3 + 3);
  return f;
}

describe('identity on the subject', () => {
  it('finds the figure box and warns when the figure is gone, although the background matches', () => {
    expect(subjectBox(figure(18), W, W)).toEqual({ x0: 15, y0: 6, x1: 32, y1: 41 });
    const present = seamQa({ width: W, height: W, frames: [figure(18), figure(19), figure(18)] }, null, figure(18), [], 12);
    expect(present.identityOn).toBe('subject');
    expect(present.warnings).toEqual([]);
    const gone = seamQa({ width: W, height: W, frames: [figure(null), figure(null), figure(null)] }, null, figure(18), [], 12);
    expect(gone.ssimMean).toBeLessThan(0.3);
    expect(gone.warnings).toEqual([expect.stringMatching(/^drifted from the reference/)]);
    expect(identityLabel(gone)).toMatch(/^identity \(subject\) 0\.\d\d$/);
  });
});

describe('beat alignment with its uncertainty', () => {
  it('reports the chance level, and the label calls a score within it chance', () => {
    const frames = Array.from({ length: 48 }, (_v, k) => figure(10 + Math.round(8 * Math.sin(k / 3))));
    const chance = beatAlignmentChance(frames, 4, 12)!;
    expect(chance.mean).toBeGreaterThan(0);
    expect(chance.sd).toBeGreaterThan(0);
    expect(beatsLabel({ beatAlignment: chance.mean, beatAlignmentChance: chance })).toMatch(/^beats: chance level/);
    expect(beatsLabel({ beatAlignment: Math.min(1, chance.mean + 3 * chance.sd + 0.01), beatAlignmentChance: chance })).toMatch(/^beats 0\.\d\d \(random/);
    expect(beatsLabel({ beatAlignment: 0.4, beatAlignmentChance: undefined })).toBeNull();
  });
});
