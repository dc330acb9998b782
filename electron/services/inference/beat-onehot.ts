/**
 * Beat one-hot of one segment (PACK.md "Beats"): frame = floor((beatSec - segmentStartSec) * fps + 0.5) in
 * float64; beats with 0 <= frame < K set beat_onehot[frame] = 1.
 * TODO(issue 4): delegate to the shared `electron/shared/domain/beat-frames.ts` once it lands, so training data,
 * the timeline and the engine use literally one function.
 */
export function segmentBeatOneHot(beatTimesSec: readonly number[], segmentStartSec: number, fps: number, frames: number): Float32Array {
  const out = new Float32Array(frames);
  for (const t of beatTimesSec) {
    if (!Number.isFinite(t)) continue;
    const frame = Math.floor((t - segmentStartSec) * fps + 0.5);
    if (frame >= 0 && frame < frames) out[frame] = 1;
  }
  return out;
}
