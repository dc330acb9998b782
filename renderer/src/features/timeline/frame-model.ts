/**
 * Beat -> model frame mapping as the timeline shows it. The model's beat module consumes a one-hot row over
 * each segment's K frames; the timeline shows exactly that row, computed by the one shared rule
 * (`@shared/domain/beat-frames`) that inference and training use too.
 */
import type { BeatMarker } from '@shared/domain/project';
import { beatFrame as relativeFrame, beatOneHot } from '@shared/domain/beat-frames';

/** Absolute frame index (at `fps`) a beat at `timeSec` lands on. */
export const beatFrame = (timeSec: number, fps: number): number => relativeFrame(timeSec, 0, fps);

/** The one-hot row (length `frames`) of a segment starting at `startFrame`, as the model receives it. */
export function segmentOneHot(beats: readonly BeatMarker[], startFrame: number, frames: number, fps: number): Float32Array {
  return beatOneHot(beats.map((b) => b.timeSec), startFrame / fps, fps, frames);
}
