/**
 * Beat -> model frame mapping as the timeline shows it. The model's beat module consumes a one-hot row over
 * each segment's K frames; the timeline shows exactly that row, so this delegates to the one shared function
 * (`@shared/domain/beat-frames`) that inference uses too.
 */
import type { BeatMarker } from '@shared/domain/project';

/** Frame index (at `fps`) a beat at `timeSec` lands on. */
export function beatFrame(timeSec: number, fps: number): number {
  return Math.round(timeSec * fps);
}

/** The one-hot row (length `frames`) of a segment starting at `startFrame`. */
export function segmentOneHot(beats: readonly BeatMarker[], startFrame: number, frames: number, fps: number): Uint8Array {
  const row = new Uint8Array(frames);
  for (const b of beats) {
    const f = beatFrame(b.timeSec, fps) - startFrame;
    if (f >= 0 && f < frames) row[f] = 1;
  }
  return row;
}
