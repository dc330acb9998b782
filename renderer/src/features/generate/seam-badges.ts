/**
 * Seam QA of the kept takes as the timeline shows it: one badge per segment, on the boundary where the segment
 * takes over from the one before. The thresholds are shared with the Generate panel's QA chips so both say
 * the same thing about a take.
 */
import type { SeamQa } from '@shared/contract/generate';
import type { Segment } from '@shared/domain/project';

/** A jump across the seam this many times the usual frame-to-frame change reads as a visible cut. */
export const FLICKER_WARN_RATIO = 2;
/** Below this SSIM to the reference the subject has drifted from the image the user gave. */
export const SSIM_WARN = 0.3;

export interface SeamBadge {
  /** Frame difference across the seam / within the segment; null for the first segment (no seam). */
  flickerRatio: number | null;
  ssimMean: number;
  beatAlignment: number | null;
  /** A threshold above is crossed (or the service attached warnings). */
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
    const warn = (qa.flickerRatio !== null && qa.flickerRatio > FLICKER_WARN_RATIO) || qa.ssimMean < SSIM_WARN || qa.warnings.length > 0;
    out.set(segment.id, { flickerRatio: qa.flickerRatio, ssimMean: qa.ssimMean, beatAlignment: qa.beatAlignment, warn, stale: take.stale });
  }
  return out;
}

/** One line for screen readers, tooltips and tests: `2: seam 1.1x, SSIM 0.42 (check)`. */
export function describeSeam(index: number, badge: SeamBadge): string {
  const seam = badge.flickerRatio === null ? 'first segment' : `seam ${badge.flickerRatio.toFixed(1)}x`;
  return `${index + 1}: ${seam}, SSIM ${badge.ssimMean.toFixed(2)}${badge.warn ? ' (check)' : ''}${badge.stale ? ' (stale)' : ''}`;
}
