/**
 * A plausibility bound on beats per second, applied to every tracker's result: audio of `d` seconds at a local
 * tempo of `bpm` holds at most `1 + d * bpm / 60` beats (a 1-second excerpt at 160 BPM holds 3, never 6), and
 * no two beats are closer than the fastest tempo the trackers consider (MAX_BPM). A result within the bound
 * is returned unchanged; one beyond it keeps its most confident beats that fit, so a short or odd excerpt
 * cannot hand the model a beat grid faster than the music.
 */
import { MAX_BPM } from './tempo-estimate';
import type { BeatTrack } from './track-beats';

/** Room for a local tempo a little faster than the 1-second tempo curve says (rounding, drift inside a step). */
const TEMPO_TOLERANCE = 1.1;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Most beats `durationSec` of audio can hold at the track's tempo curve (or its overall tempo). */
export function maxPlausibleBeats(track: Pick<BeatTrack, 'tempoBpm' | 'tempoCurveBpm' | 'tempoCurveStepSec'>, durationSec: number): number {
  if (!(durationSec > 0)) return 0;
  const step = track.tempoCurveStepSec > 0 ? track.tempoCurveStepSec : durationSec;
  let beats = 0;
  for (let t = 0, s = 0; t < durationSec; t += step, s++) {
    const length = Math.min(step, durationSec - t);
    const bpm = Math.min(MAX_BPM, Math.max(track.tempoBpm, track.tempoCurveBpm[s] ?? 0));
    beats += (length * bpm * TEMPO_TOLERANCE) / 60;
  }
  return 1 + Math.floor(beats + 1e-9);
}

/** The track, or a copy thinned to the bound (alternatives recomputed, bar numbering dropped: it no longer fits). */
export function boundBeatsPerSecond<T extends BeatTrack>(track: T, durationSec: number): T {
  const times = track.beatTimesSec;
  const minGap = 60 / MAX_BPM;
  const limit = maxPlausibleBeats(track, durationSec);
  let crowded = false;
  for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! < minGap - 1e-9) crowded = true;
  if (times.length <= limit && !crowded) return track;

  // Most confident first; a beat is kept when no kept beat is within minGap, until the limit.
  const order = times.map((_, i) => i).sort((a, b) => (track.beatConfidence[b] ?? 0) - (track.beatConfidence[a] ?? 0) || a - b);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= limit) break;
    if (kept.every((k) => Math.abs(times[k]! - times[i]!) >= minGap - 1e-9)) kept.push(i);
  }
  kept.sort((a, b) => a - b);
  const beatTimesSec = kept.map((i) => times[i]!);
  const doubleBeatTimesSec: number[] = [];
  for (let i = 0; i < beatTimesSec.length; i++) {
    doubleBeatTimesSec.push(beatTimesSec[i]!);
    if (i + 1 < beatTimesSec.length) doubleBeatTimesSec.push(round3((beatTimesSec[i]! + beatTimesSec[i + 1]!) / 2));
  }
  const { beatsPerBar: _b, beatInBar: _i, barOfBeat: _o, ...rest } = track;
  return {
    ...rest,
    beatTimesSec,
    beatConfidence: kept.map((i) => track.beatConfidence[i] ?? 0),
    halfBeatTimesSec: beatTimesSec.filter((_, i) => i % 2 === 0),
    doubleBeatTimesSec,
  } as T;
}
