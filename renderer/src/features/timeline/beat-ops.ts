/**
 * Pure edits of a project's beat list (no React, no DOM): every timeline action is one of these wrapped in
 * `projectStore.apply`. Inputs are never mutated; outputs stay sorted by time. Beats the user touched become
 * `user` beats; `anchored` beats survive tempo halving and re-detection.
 */
import type { BeatMarker } from '../../../../electron/shared/domain/project';

export type NewId = () => string;

/** Two beats closer than this are one beat (re-detection, import merging). */
export const SAME_BEAT_SEC = 0.07;

export const byTime = (a: BeatMarker, b: BeatMarker) => a.timeSec - b.timeSec;
const sorted = (beats: BeatMarker[]) => beats.sort(byTime);
const clamp = (t: number, durationSec: number) => Math.min(Math.max(t, 0), durationSec);
const round6 = (t: number) => Math.round(t * 1e6) / 1e6;

/** Index of the first element whose value is >= t (binary search over a sorted array). */
export function lowerBound<T>(items: readonly T[], t: number, at: (item: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(items[mid]!) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function nearestIn(sortedTimes: readonly number[], t: number): number | null {
  if (!sortedTimes.length) return null;
  const i = lowerBound(sortedTimes, t, (x) => x);
  const after = sortedTimes[i];
  const before = sortedTimes[i - 1];
  if (after === undefined) return before!;
  if (before === undefined) return after;
  return t - before <= after - t ? before : after;
}

/** Snaps to the nearest onset within `maxDistSec` (unless `free`, e.g. Alt held). */
export function snapToOnset(t: number, onsetsSec: readonly number[], opts: { free: boolean; maxDistSec: number }): number {
  if (opts.free) return t;
  const near = nearestIn(onsetsSec, t);
  return near !== null && Math.abs(near - t) <= opts.maxDistSec ? near : t;
}

export function addBeat(beats: readonly BeatMarker[], timeSec: number, id: string): BeatMarker[] {
  return sorted([...beats, { id, timeSec: round6(Math.max(0, timeSec)), source: 'user', anchored: false }]);
}

export function deleteBeats(beats: readonly BeatMarker[], ids: ReadonlySet<string>): BeatMarker[] {
  return beats.filter((b) => !ids.has(b.id));
}

/** Moves the chosen beats by `deltaSec` (clamped to the song); moved beats become user beats. */
export function moveBeats(beats: readonly BeatMarker[], ids: ReadonlySet<string>, deltaSec: number, durationSec: number): BeatMarker[] {
  if (!ids.size || deltaSec === 0) return [...beats];
  return sorted(beats.map((b) => (ids.has(b.id) ? { ...b, timeSec: round6(clamp(b.timeSec + deltaSec, durationSec)), source: 'user' as const } : b)));
}

export function setBeatTime(beats: readonly BeatMarker[], id: string, timeSec: number, durationSec: number): BeatMarker[] {
  return sorted(beats.map((b) => (b.id === id ? { ...b, timeSec: round6(clamp(timeSec, durationSec)), source: 'user' as const } : b)));
}

/** Moves every beat at or after `cursorSec` (a ripple edit when the song's intro was mis-detected). */
export function shiftAfter(beats: readonly BeatMarker[], cursorSec: number, deltaSec: number, durationSec: number): BeatMarker[] {
  const ids = new Set(beats.filter((b) => b.timeSec >= cursorSec - 1e-9).map((b) => b.id));
  return moveBeats(beats, ids, deltaSec, durationSec);
}

/** Anchors all chosen beats, or un-anchors them when all already are. */
export function toggleAnchor(beats: readonly BeatMarker[], ids: ReadonlySet<string>): BeatMarker[] {
  const chosen = beats.filter((b) => ids.has(b.id));
  const anchor = chosen.some((b) => !b.anchored);
  return beats.map((b) => (ids.has(b.id) ? { ...b, anchored: anchor } : b));
}

/**
 * The beats a tempo tool works on: the selection when it spans two or more beats, else all beats (one selected
 * beat has no tempo of its own; issue 23: ½x used to do nothing then).
 */
const inScope = (beats: readonly BeatMarker[], ids: ReadonlySet<string> | null) => (ids && ids.size > 1 ? beats.filter((b) => ids.has(b.id)) : [...beats]);

/**
 * Keeps every other beat of the scope (all beats when fewer than two are selected); anchored beats always stay.
 * With one beat selected, that beat keeps its place and sets the phase: the beats an odd count away go.
 */
export function halveTempo(beats: readonly BeatMarker[], ids: ReadonlySet<string> | null): BeatMarker[] {
  const scope = [...inScope(beats, ids)].sort(byTime);
  const pivot = ids && ids.size === 1 ? scope.findIndex((b) => ids.has(b.id)) : 0;
  const parity = ((Math.max(0, pivot) % 2) + 2) % 2;
  const drop = new Set(scope.filter((b, i) => i % 2 !== parity && !b.anchored).map((b) => b.id));
  return beats.filter((b) => !drop.has(b.id));
}

/** Adds a beat half-way between each pair of consecutive beats of the scope. */
export function doubleTempo(beats: readonly BeatMarker[], ids: ReadonlySet<string> | null, newId: NewId): BeatMarker[] {
  const scope = [...inScope(beats, ids)].sort(byTime);
  const added: BeatMarker[] = [];
  for (let i = 1; i < scope.length; i++) {
    added.push({ id: newId(), timeSec: round6((scope[i - 1]!.timeSec + scope[i]!.timeSec) / 2), source: 'user', anchored: false });
  }
  return sorted([...beats, ...added]);
}

/**
 * Replaces the un-anchored beats inside [startSec, endSec] by fresh times (re-detection or a tapped grid).
 * Anchored beats stay, and new times within SAME_BEAT_SEC of an anchored beat are dropped as duplicates.
 */
export function replaceRegion(
  beats: readonly BeatMarker[],
  startSec: number,
  endSec: number,
  timesSec: readonly number[],
  source: BeatMarker['source'],
  newId: NewId,
): BeatMarker[] {
  const inside = (t: number) => t >= startSec && t <= endSec;
  const kept = beats.filter((b) => !inside(b.timeSec) || b.anchored);
  const anchors = kept.filter((b) => inside(b.timeSec)).map((b) => b.timeSec).sort((a, b) => a - b);
  const fresh = timesSec
    .filter((t) => inside(t))
    .filter((t) => {
      const near = nearestIn(anchors, t);
      return near === null || Math.abs(near - t) >= SAME_BEAT_SEC;
    })
    .map((t): BeatMarker => ({ id: newId(), timeSec: round6(t), source, anchored: false }));
  return sorted([...kept, ...fresh]);
}

/** A beat grid of `periodSec` through `phaseSec`, covering [startSec, endSec]. */
export function gridTimes(startSec: number, endSec: number, periodSec: number, phaseSec: number): number[] {
  if (!(periodSec > 0.05) || endSec < startSec) return [];
  const first = phaseSec - Math.floor((phaseSec - startSec) / periodSec) * periodSec;
  const out: number[] = [];
  for (let t = first; t <= endSec + 1e-9 && out.length < 100_000; t += periodSec) out.push(t);
  return out;
}

export interface TappedTempo {
  bpm: number;
  periodSec: number;
  /** Time of the first tap, snapped onto the fitted grid (least squares over all taps). */
  phaseSec: number;
}

/** Tempo from taps (seconds, in song time): least-squares fit of tap = phase + n * period. Needs 4 taps. */
export function tapTempo(tapsSec: readonly number[]): TappedTempo | null {
  if (tapsSec.length < 4) return null;
  const taps = [...tapsSec].sort((a, b) => a - b);
  const gaps = taps.slice(1).map((t, i) => t - taps[i]!);
  const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
  if (!(median > 0.15 && median < 3)) return null;
  // Number each tap by how many median periods it is from the first (tolerates a skipped tap).
  const n = taps.map((t) => Math.round((t - taps[0]!) / median));
  const count = taps.length;
  const meanN = n.reduce((s, v) => s + v, 0) / count;
  const meanT = taps.reduce((s, v) => s + v, 0) / count;
  let num = 0;
  let den = 0;
  for (let i = 0; i < count; i++) {
    num += (n[i]! - meanN) * (taps[i]! - meanT);
    den += (n[i]! - meanN) ** 2;
  }
  const periodSec = den > 0 ? num / den : median;
  return { bpm: 60 / periodSec, periodSec, phaseSec: meanT - periodSec * meanN };
}

/**
 * Tempo of the edited beats: 60 / the median gap between consecutive beats (robust to a few added or missing
 * beats). The toolbar shows it, so it follows ½x, 2x, taps and drags (issue 23); null with fewer than 3 beats.
 */
export function beatsTempoBpm(beats: readonly BeatMarker[]): number | null {
  if (beats.length < 3) return null;
  const t = beats.map((b) => b.timeSec).sort((a, b) => a - b);
  const gaps = t.slice(1).map((x, i) => x - t[i]!).filter((g) => g > 1e-3).sort((a, b) => a - b);
  if (!gaps.length) return null;
  const mid = gaps.length >> 1;
  const median = gaps.length % 2 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
  return 60 / median;
}

/** Ids of beats whose time lies in [startSec, endSec]. */
export function idsInRange(beats: readonly BeatMarker[], startSec: number, endSec: number): Set<string> {
  const a = Math.min(startSec, endSec);
  const b = Math.max(startSec, endSec);
  return new Set(beats.filter((x) => x.timeSec >= a && x.timeSec <= b).map((x) => x.id));
}

/** Beats from a marker file, with fresh ids. */
export function beatsFromRecords(records: readonly Pick<BeatMarker, 'timeSec' | 'source' | 'anchored' | 'bar'>[], newId: NewId): BeatMarker[] {
  return sorted(records.map((r) => ({ id: newId(), timeSec: round6(r.timeSec), source: r.source, anchored: r.anchored, ...(r.bar !== undefined ? { bar: r.bar } : {}) })));
}

/**
 * Imported markers merged into the current beats: an imported marker within SAME_BEAT_SEC of a beat replaces
 * it (the file is what the user chose to bring in), every other beat and marker is kept.
 */
export function mergeBeats(current: readonly BeatMarker[], imported: readonly BeatMarker[]): BeatMarker[] {
  const incoming = sorted([...imported]);
  const times = incoming.map((b) => b.timeSec);
  const kept = current.filter((b) => {
    const near = nearestIn(times, b.timeSec);
    return near === null || Math.abs(near - b.timeSec) >= SAME_BEAT_SEC;
  });
  return sorted([...kept, ...incoming]);
}

let idCounter = 0;
/** Marker ids unique within a session and across reloads (time + counter + random). */
export const newBeatId: NewId = () => `b${Date.now().toString(36)}${(idCounter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
