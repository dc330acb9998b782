/** Seam QA badges for the timeline: which take's QA a segment shows, and when it asks the user to check. */
import { describe, expect, it } from 'vitest';
import { SEAM_FLICKER_WARN_RATIO, SEAM_SSIM_DRIFT_WARN, type SeamQa } from '@shared/contract/generate';
import type { Segment, Take } from '@shared/domain/project';
import { describeSeam, seamBadges } from '../../../renderer/src/shared/seam-badges';

const take = (id: string, stale = false) => ({ id, path: `takes/${id}`, stale }) as unknown as Take;
const segment = (id: string, startFrame: number, takes: Take[], keptTakeId: string | null): Segment =>
  ({ id, startFrame, frames: 48, prompt: '', seed: 1, colour: '#fff', takes, keptTakeId }) as Segment;
/** QA as the service reports it: its warnings follow the contract's thresholds (see seam-qa.ts). */
const qa = (flickerRatio: number | null, ssimMean: number, extra: string[] = []): SeamQa => ({
  flickerRatio, ssimMean, ssimLast: ssimMean, beatAlignment: 0.5,
  warnings: [
    ...(flickerRatio !== null && flickerRatio > SEAM_FLICKER_WARN_RATIO ? ['seam jump'] : []),
    ...(ssimMean < SEAM_SSIM_DRIFT_WARN ? ['drifted'] : []),
    ...extra,
  ],
});

describe('seamBadges', () => {
  it('shows the kept take (else the newest), skips segments without QA, and flags flicker, drift, warnings and stale takes', () => {
    const segments = [
      segment('s1', 0, [take('a'), take('b')], 'a'),
      segment('s2', 48, [take('c')], null),
      segment('s3', 96, [take('d', true)], 'd'),
      segment('s4', 144, [take('e')], 'e'),
      segment('s5', 192, [], null),
    ];
    const byPath = { 'takes/a': qa(null, 0.5), 'takes/b': qa(null, 0.1), 'takes/c': qa(3.2, 0.6), 'takes/d': qa(1.1, 0.6) };
    const badges = seamBadges(segments, byPath);
    expect([...badges.keys()]).toEqual(['s1', 's2', 's3']);
    expect(badges.get('s1')).toMatchObject({ flickerRatio: null, ssimMean: 0.5, warn: false, stale: false });
    expect(badges.get('s2')).toMatchObject({ flickerRatio: 3.2, warn: true });
    expect(badges.get('s3')).toMatchObject({ warn: false, stale: true });
    expect(seamBadges([segment('x', 0, [take('f')], 'f')], { 'takes/f': qa(1.2, 0.2) }).get('x')!.warn).toBe(true);
    expect(seamBadges([segment('x', 0, [take('f')], 'f')], { 'takes/f': qa(1.2, 0.9, ['seam jumps']) }).get('x')!.warn).toBe(true);
  });

  it('describes a badge in words', () => {
    expect(describeSeam(0, { flickerRatio: null, ssimMean: 0.456, beatAlignment: null, warn: false, stale: false })).toBe('1: first segment, SSIM 0.46');
    expect(describeSeam(1, { flickerRatio: 2.54, ssimMean: 0.2, beatAlignment: 0.1, warn: true, stale: true })).toBe('2: seam 2.5x, SSIM 0.20 (check) (stale)');
  });
});
