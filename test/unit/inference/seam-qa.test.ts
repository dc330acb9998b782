/** The service's seam QA verdicts (the timeline badge's amber) follow the contract's thresholds. */
import { describe, expect, it } from 'vitest';
import { SEAM_FLICKER_WARN_RATIO } from '../../../electron/shared/contract/generate';
import { seamQa } from '../../../electron/services/inference/seam-qa';

const W = 16;
/** An RGB frame: a bright square at column x on a grey field (the "subject" moving right). */
function frame(x: number, grey = 90): Uint8Array {
  const f = new Uint8Array(W * W * 3).fill(grey);
  for (let j = 4; j < 10; j++) for (let i = x; i < x + 4; i++) f.fill(230, (j * W + i) * 3, (j * W + i) * 3 + 3);
  return f;
}

describe('seamQa', () => {
  it('a smooth continuation near the reference has no warnings; a jump across the seam and a drift each get one', () => {
    const frames = [2, 3, 4, 5].map((x) => frame(x));
    const smooth = seamQa({ width: W, height: W, frames }, frame(1), frame(2), [], 12);
    expect(smooth.flickerRatio!).toBeLessThan(SEAM_FLICKER_WARN_RATIO);
    expect(smooth.warnings).toEqual([]);
    const cut = seamQa({ width: W, height: W, frames }, frame(11, 20), frame(2), [], 12);
    expect(cut.flickerRatio!).toBeGreaterThan(SEAM_FLICKER_WARN_RATIO);
    expect(cut.warnings).toEqual([expect.stringMatching(/^seam jump/)]);
    const drifted = seamQa({ width: W, height: W, frames }, null, new Uint8Array(W * W * 3).map((_, i) => (i * 37) % 256), [], 12);
    expect(drifted.warnings).toEqual([expect.stringMatching(/^drifted from the reference/)]);
  });
});
