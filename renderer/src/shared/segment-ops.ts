/**
 * Pure edits of the song's segments: the song is cut into K-frame segments (paper: K = 48 = 4 s at 12 fps),
 * each with a prompt, seed, colour and takes. Laying out again after a song or K change keeps each segment's
 * prompt, seed and colour by position.
 */
import type { Segment } from '@shared/domain/project';

export const SEGMENT_COLOURS = ['#5b8def', '#e0795b', '#59b38a', '#c56bd6', '#d8b443', '#4fb6c8', '#e06b94', '#8f9bb3'] as const;

/** Frames covering the song at `fps` (the last, partial frame counts). */
export const songFrames = (durationSec: number, fps: number) => Math.max(1, Math.ceil(durationSec * fps - 1e-6));

export const segmentCount = (durationSec: number, fps: number, framesPerSegment: number) =>
  Math.ceil(songFrames(durationSec, fps) / framesPerSegment);

/** A seed that differs per segment but is stable for a given index (re-layout keeps results reproducible). */
export const defaultSeed = (index: number) => (Math.imul(index + 1, 2654435761) >>> 0) % 2 ** 31;

export function layoutSegments(
  existing: readonly Segment[],
  durationSec: number,
  fps: number,
  framesPerSegment: number,
  newId: () => string,
): Segment[] {
  const count = segmentCount(durationSec, fps, framesPerSegment);
  const ordered = [...existing].sort((a, b) => a.startFrame - b.startFrame);
  return Array.from({ length: count }, (_v, i): Segment => {
    const old = ordered[i];
    const base = { startFrame: i * framesPerSegment, frames: framesPerSegment };
    if (old) {
      const same = old.startFrame === base.startFrame && old.frames === base.frames;
      // A segment that now covers other frames keeps its prompt, but its takes no longer match the music.
      return { ...old, ...base, takes: same ? old.takes : old.takes.map((t) => ({ ...t, stale: true })) };
    }
    return { id: newId(), ...base, prompt: '', seed: defaultSeed(i), colour: SEGMENT_COLOURS[i % SEGMENT_COLOURS.length]!, takes: [], keptTakeId: null };
  });
}

export function updateSegments(segments: readonly Segment[], ids: ReadonlySet<string>, patch: Partial<Pick<Segment, 'prompt' | 'seed' | 'colour'>>): Segment[] {
  return segments.map((s) => (ids.has(s.id) ? { ...s, ...patch } : s));
}

export function segmentIndexAtFrame(segments: readonly Segment[], frame: number): number {
  return segments.findIndex((s) => frame >= s.startFrame && frame < s.startFrame + s.frames);
}

/** Ids of the segments from index a to b inclusive (either order): range selection with Shift. */
export function segmentRange(segments: readonly Segment[], a: number, b: number): Set<string> {
  const lo = Math.max(0, Math.min(a, b));
  const hi = Math.min(segments.length - 1, Math.max(a, b));
  return new Set(segments.slice(lo, hi + 1).map((s) => s.id));
}

export const segmentStartSec = (s: Segment, fps: number) => s.startFrame / fps;
export const segmentEndSec = (s: Segment, fps: number) => (s.startFrame + s.frames) / fps;
