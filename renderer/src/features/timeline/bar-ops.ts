/**
 * Beats with bars from the beat network replacing the song's beats: anchored beats stay where they are (the user
 * vouched for them) and take the bar number of the detected beat they stand for; every other beat is replaced by
 * the detected ones, which carry each downbeat's bar number. Pure.
 */
import type { BeatMarker } from '@shared/domain/project';
import { nearestIn, SAME_BEAT_SEC, type NewId } from './beat-ops';

export function replaceWithDetectedBars(current: readonly BeatMarker[], beatsSec: readonly number[], downbeatBars: readonly (number | null)[], newId: NewId): BeatMarker[] {
  const anchorTimes = current.filter((b) => b.anchored).map((b) => b.timeSec).sort((a, b) => a - b);
  /** Bar of the detected beat an anchored beat stands for (the network numbers the bars now). */
  const barAt = new Map<number, number>();
  const fresh = beatsSec.flatMap((t, i): BeatMarker[] => {
    const bar = downbeatBars[i];
    const near = nearestIn(anchorTimes, t);
    if (near !== null && Math.abs(near - t) < SAME_BEAT_SEC) {
      if (bar) barAt.set(near, bar);
      return [];
    }
    return [{ id: newId(), timeSec: Math.round(t * 1e6) / 1e6, source: 'detected', anchored: false, ...(bar ? { bar } : {}) }];
  });
  const anchored = current
    .filter((b) => b.anchored)
    .map((b): BeatMarker => {
      const { bar: _old, ...rest } = b;
      const bar = barAt.get(b.timeSec);
      return bar ? { ...rest, bar } : rest;
    });
  return [...anchored, ...fresh].sort((a, b) => a.timeSec - b.timeSec);
}
