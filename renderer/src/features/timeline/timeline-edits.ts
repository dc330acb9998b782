/**
 * Timeline edits as undoable project changes: each wraps a pure op from beat-ops/segment-ops in
 * `projectStore.apply`, and keeps the view selection consistent. Plugin gestures and actions both call these.
 */
import type { Project } from '@shared/domain/project';
import { projectStore, SONG_IMPORT_EDIT } from '../../state/project-store';
import * as ops from './beat-ops';
import { layoutSegments, updateSegments } from '../../shared/segment-ops';
import { readyAnalysis, timelineStore } from './timeline-store';

const songDuration = (p: Project) => readyAnalysis()?.durationSec ?? Math.max(0, ...p.beats.map((b) => b.timeSec)) + 1;
const selection = () => timelineStore.getState().selectedBeats;

const applyBeats = (label: string, recipe: (p: Project) => Project['beats'], coalesceKey?: string) =>
  projectStore.apply(label, (p) => {
    const beats = recipe(p);
    return beats.length === p.beats.length && beats.every((b, i) => b === p.beats[i]) ? p : { ...p, beats };
  }, coalesceKey ? { coalesceKey } : {});

export function addBeatAt(timeSec: number): string | null {
  const id = ops.newBeatId();
  if (!applyBeats('Add beat', (p) => ops.addBeat(p.beats, Math.min(timeSec, songDuration(p)), id))) return null;
  timelineStore.update({ selectedBeats: new Set([id]) });
  return id;
}

export const moveBeatsBy = (ids: readonly string[], deltaSec: number, label = 'Move beats') =>
  applyBeats(label, (p) => ops.moveBeats(p.beats, new Set(ids), deltaSec, songDuration(p)));

export function nudgeSelected(deltaSec: number): boolean {
  const ids = selection();
  // Repeated nudges of the same beats merge into one undo step.
  return applyBeats('Nudge beats', (p) => ops.moveBeats(p.beats, ids, deltaSec, songDuration(p)), `nudge:${[...ids].sort().join(',')}`);
}

export function deleteSelected(): boolean {
  const ids = selection();
  const done = applyBeats(ids.size === 1 ? 'Delete beat' : `Delete ${ids.size} beats`, (p) => ops.deleteBeats(p.beats, ids));
  if (done) timelineStore.update({ selectedBeats: new Set() });
  return done;
}

export const shiftAfterCursor = (deltaSec: number) =>
  applyBeats('Shift beats after cursor', (p) => ops.shiftAfter(p.beats, timelineStore.getState().cursorSec, deltaSec, songDuration(p)), 'shift-after');

export const halveTempo = () => applyBeats('Halve tempo', (p) => ops.halveTempo(p.beats, selection()));
export const doubleTempo = () => applyBeats('Double tempo', (p) => ops.doubleTempo(p.beats, selection(), ops.newBeatId));
export const toggleAnchor = () => applyBeats('Toggle anchor', (p) => ops.toggleAnchor(p.beats, selection()));

export const replaceRegion = (label: string, startSec: number, endSec: number, timesSec: readonly number[], source: 'detected' | 'user') =>
  applyBeats(label, (p) => ops.replaceRegion(p.beats, startSec, endSec, timesSec, source, ops.newBeatId));

export function replaceAllBeats(label: string, beats: Project['beats']): boolean {
  const done = projectStore.apply(label, (p) => ({ ...p, beats }));
  if (done) timelineStore.update({ selectedBeats: new Set() });
  return done;
}

/**
 * After analysis: detected beats when the project has none (or its song was just replaced: the old beats
 * belong to the old song), and segments covering the song.
 */
export function adoptAnalysis(durationSec: number, beatsSec: readonly number[], songReplaced = false, downbeatBars: readonly (number | null)[] = []): boolean {
  // A song import clears the old song's beats in the same undo step (SONG_IMPORT_EDIT), so beats present here
  // belong to this song: after an Undo they are the user's restored beats and must stay (issue 23).
  const done = projectStore.apply(songReplaced ? 'Detect beats of the new song' : 'Analyse song', (p) => {
    const beats =
      p.beats.length
        ? p.beats
        : beatsSec.map((t, i) => ({ id: ops.newBeatId(), timeSec: Math.round(t * 1e6) / 1e6, source: 'detected' as const, anchored: false, ...(downbeatBars[i] ? { bar: downbeatBars[i]! } : {}) }));
    const segments = layoutSegments(p.segments, durationSec, p.fps, p.framesPerSegment, ops.newBeatId);
    const sameSegments = segments.length === p.segments.length && segments.every((s, i) => s.startFrame === p.segments[i]!.startFrame && s.frames === p.segments[i]!.frames);
    if (beats === p.beats && sameSegments) return p;
    return { ...p, beats, segments: sameSegments ? p.segments : segments };
  }, { coalesceKey: SONG_IMPORT_EDIT });
  projectStore.seal();
  return done;
}

export function editSegments(ids: ReadonlySet<string>, patch: Parameters<typeof updateSegments>[2], label: string, coalesceKey?: string): boolean {
  return projectStore.apply(label, (p) => ({ ...p, segments: updateSegments(p.segments, ids, patch) }), coalesceKey ? { coalesceKey } : {});
}

/** Segments follow the model's frame rate and K: re-laid out (prompts kept by position) when either changes. */
export function relayoutSegments(durationSec: number): boolean {
  return projectStore.apply('Lay out segments', (p) => {
    const segments = layoutSegments(p.segments, durationSec, p.fps, p.framesPerSegment, ops.newBeatId);
    const same = segments.length === p.segments.length && segments.every((s, i) => s.startFrame === p.segments[i]!.startFrame && s.frames === p.segments[i]!.frames);
    return same ? p : { ...p, segments };
  });
}
