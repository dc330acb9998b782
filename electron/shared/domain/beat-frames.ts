/**
 * The one beat -> frame rule, shared by the timeline (renderer) and inference, and identical to
 * native-models/PACK.md "Beats" and `musedance_models.beats.beat_onehot` (training data):
 *   frame = floor((beatSec - segmentStartSec) * fps + 0.5)   (float64, round half up)
 * A beat belongs to the segment iff 0 <= frame < K, and then `beat_onehot[frame] = 1`.
 * Pure and dependency-free: safe to import from the renderer.
 */

/** Model frame rate (paper: 12 fps). */
export const DEFAULT_BEAT_FPS = 12;
/** K: frames per generated segment (paper: 48 = 4 s at 12 fps). */
export const DEFAULT_FRAMES_PER_SEGMENT = 48;

/** Frame (relative to the segment start) that a beat rounds to; may be negative or >= K (outside the segment). */
export function beatFrame(beatSec: number, segmentStartSec: number, fps: number = DEFAULT_BEAT_FPS): number {
  return Math.floor((beatSec - segmentStartSec) * fps + 0.5);
}

/** Start time of a segment that begins at an absolute video frame. */
export function segmentStartSec(startFrame: number, fps: number = DEFAULT_BEAT_FPS): number {
  return startFrame / fps;
}

/** Sorted, de-duplicated frames in [0, K) that hold a beat. */
export function beatFramesInSegment(beatTimesSec: readonly number[], segmentStart: number, fps: number = DEFAULT_BEAT_FPS, frames: number = DEFAULT_FRAMES_PER_SEGMENT): number[] {
  const hit = new Set<number>();
  for (const t of beatTimesSec) {
    if (!Number.isFinite(t)) continue;
    const f = beatFrame(t, segmentStart, fps);
    if (f >= 0 && f < frames) hit.add(f);
  }
  return [...hit].sort((a, b) => a - b);
}

/** The exact `beat_onehot` vector (length K, 1 where a beat rounds to) the beat module consumes. */
export function beatOneHot(beatTimesSec: readonly number[], segmentStart: number, fps: number = DEFAULT_BEAT_FPS, frames: number = DEFAULT_FRAMES_PER_SEGMENT): Float32Array {
  if (!Number.isInteger(frames) || frames < 1) throw new RangeError(`frames (K) must be a positive integer, got ${frames}`);
  if (!(fps > 0)) throw new RangeError(`fps must be positive, got ${fps}`);
  const out = new Float32Array(frames);
  for (const f of beatFramesInSegment(beatTimesSec, segmentStart, fps, frames)) out[f] = 1;
  return out;
}
