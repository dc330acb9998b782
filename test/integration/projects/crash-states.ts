/**
 * The growing project the crash test saves: state k is a pure function of k (and the project's identity), so
 * after a kill the parent can tell exactly which state is on disk and compare it field by field.
 */
import type { Project } from '../../../electron/shared/domain/project';

const BEATS_PER_STEP = 60;
const MAX_BEATS_IN_TEST = 12_000;

export function crashState(base: Project, k: number): Project {
  const beatCount = Math.min(k * BEATS_PER_STEP, MAX_BEATS_IN_TEST);
  const segmentCount = Math.min(1 + Math.floor(k / 4), 400);
  return {
    ...base,
    name: `crash state ${k}`,
    beats: Array.from({ length: beatCount }, (_, i) => ({ id: `b${i}`, timeSec: i * 0.25 + (k % 7) * 0.001, source: i % 5 === 0 ? ('user' as const) : ('detected' as const), anchored: i % 11 === 0 })),
    segments: Array.from({ length: segmentCount }, (_, i) => ({
      id: `s${i}`,
      startFrame: i * 48,
      frames: 48,
      prompt: `segment ${i} at state ${k}: a dancer moves with the beat`,
      seed: (i * 7919 + k) % 2 ** 32,
      colour: '#3366cc',
      takes: [],
      keptTakeId: null,
    })),
  };
}

/** The k a document was made from, or null when it is not one of the crash states. */
export function crashStateIndex(project: Project): number | null {
  const m = /^crash state (\d+)$/.exec(project.name);
  return m ? Number(m[1]) : null;
}

/** Equality of content, ignoring the save metadata the service stamps. */
export const sameContent = (a: Project, b: Project): boolean => JSON.stringify({ ...a, saved: null }) === JSON.stringify({ ...b, saved: null });
