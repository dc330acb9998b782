/**
 * Seam QA of the kept takes as the timeline shows it: one badge per segment, on the boundary where the segment
 * takes over from the one before. Whether a take needs a look is the service's verdict (its `warnings`, from the
 * contract's thresholds, which the Generate panel's chips use too), so all three say the same thing.
 */
import type { SeamQa } from '@shared/contract/generate';
import type { Segment } from '@shared/domain/project';

export interface SeamBadge {
  /** Frame difference across the seam / within the segment; null for the first segment (no seam). */
  flickerRatio: number | null;
  ssimMean: number;
  beatAlignment: number | null;
  /** The service attached warnings (a seam jump or drift past the contract's thresholds). */
  warn: boolean;
  /** The kept take no longer matches what comes before it. */
  stale: boolean;
}

export const keptTake = (segment: Segment) => segment.takes.find((t) => t.id === segment.keptTakeId) ?? segment.takes[segment.takes.length - 1] ?? null;

/** Badges by segment id, for segments whose kept take has QA loaded. */
export function seamBadges(segments: readonly Segment[], qaByTakePath: Readonly<Record<string, SeamQa>>): Map<string, SeamBadge> {
  const out = new Map<string, SeamBadge>();
  for (const segment of segments) {
    const take = keptTake(segment);
    const qa = take ? qaByTakePath[take.path] : undefined;
    if (!take || !qa) continue;
    out.set(segment.id, { flickerRatio: qa.flickerRatio, ssimMean: qa.ssimMean, beatAlignment: qa.beatAlignment, warn: qa.warnings.length > 0, stale: take.stale });
  }
  return out;
}

/** One line for screen readers, tooltips and tests: `2: seam 1.1x, SSIM 0.42 (check)`. */
export function describeSeam(index: number, badge: SeamBadge): string {
  const seam = badge.flickerRatio === null ? 'first segment' : `seam ${badge.flickerRatio.toFixed(1)}x`;
  return `${index + 1}: ${seam}, SSIM ${badge.ssimMean.toFixed(2)}${badge.warn ? ' (check)' : ''}${badge.stale ? ' (stale)' : ''}`;
}
