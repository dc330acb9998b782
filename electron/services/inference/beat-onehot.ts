/**
 * Beat one-hot of one segment (PACK.md "Beats"). The rule lives in ONE place, the shared
 * `electron/shared/domain/beat-frames.ts` (timeline, training data and inference all use it); this module only
 * names the engine's use of it.
 */
import { beatOneHot } from '../../shared/domain/beat-frames';

export function segmentBeatOneHot(beatTimesSec: readonly number[], segmentStartSec: number, fps: number, frames: number): Float32Array {
  return beatOneHot(beatTimesSec, segmentStartSec, fps, frames);
}
