/**
 * Seam QA in words that mean what they say (issue 23 #6): identity says where it was measured (the subject or
 * the whole frame), and beat alignment is shown with its chance level, or as "not measurable" when the score is
 * within the noise of random beats (one 4 s segment has only a handful of beats).
 */
import type { SeamQa } from '../../../electron/shared/contract/generate';

export function identityLabel(qa: Pick<SeamQa, 'ssimMean' | 'identityOn'>): string {
  return `${qa.identityOn === 'subject' ? 'identity (subject)' : 'SSIM (whole frame)'} ${qa.ssimMean.toFixed(2)}`;
}

/** null when there is nothing to say (no beat in the segment, or an old take without a chance level). */
export function beatsLabel(qa: Pick<SeamQa, 'beatAlignment' | 'beatAlignmentChance'>): string | null {
  if (qa.beatAlignment === null || !qa.beatAlignmentChance) return null;
  const { mean, sd } = qa.beatAlignmentChance;
  if (qa.beatAlignment <= mean + 2 * sd) return `beats: chance level (${qa.beatAlignment.toFixed(2)} vs random ${mean.toFixed(2)} ± ${sd.toFixed(2)})`;
  return `beats ${qa.beatAlignment.toFixed(2)} (random ${mean.toFixed(2)} ± ${sd.toFixed(2)})`;
}
