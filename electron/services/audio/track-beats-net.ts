/**
 * From a beat network's activations to a BeatTrack with bars: the silence gate, the bar-pointer decoder
 * (`bar-pointer-dbn.ts`), per-beat confidence from the activations, and the same derived fields the DP tracker
 * returns (tempo, onsets for snapping, half/double alternatives, tempo curve), so callers need not care which
 * tracker ran. Pure computation (no I/O, no model): the activations come from `beat-net/`.
 */
import { FRAME_RATE } from './analysis-params';
import { decodeBarPointer, type BarPointerOptions } from './bar-pointer-dbn';
import { pickOnsetFrames } from './onset-peaks';
import { isSilentFile, silenceGate } from './silence-gate';
import { ONSET_TIME_OFFSET_SEC, type BeatTrack } from './track-beats';
import { typicalInterval } from './beat-intervals';

export interface NetActivations {
  /** Frames per second of both activations (the analysis frame rate). */
  fps: number;
  /** Probability of a beat (downbeats included) per frame. */
  beat: Float32Array;
  /** Probability of a downbeat per frame. */
  downbeat: Float32Array;
}

export interface NetTrackInput {
  activations: NetActivations;
  /** The onset envelope and frame RMS of the same audio at FRAME_RATE (onsets for snapping, silence gate). */
  onsetEnvelope: Float32Array;
  frameRms: Float32Array;
  /** Whole-file RMS (linear). */
  rms: number;
}

export interface NetTrackOptions extends Partial<Omit<BarPointerOptions, 'fps' | 'blocked'>> {
  /** Seconds added to every activation frame time. */
  timeOffsetSec?: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const timeSec = (x: number) => Math.max(0, round3(x));

export function trackBeatsNet(input: NetTrackInput, options: NetTrackOptions = {}): BeatTrack {
  const { activations: act } = input;
  const n = Math.min(act.beat.length, act.downbeat.length);
  const empty = (silent: boolean, onsetTimesSec: number[] = []): BeatTrack => ({
    tempoBpm: 0,
    beatTimesSec: [],
    beatConfidence: [],
    confidence: 0,
    onsetTimesSec,
    halfBeatTimesSec: [],
    doubleBeatTimesSec: [],
    tempoCurveBpm: [],
    tempoCurveStepSec: 1,
    silent,
    beatsPerBar: 0,
    beatInBar: [],
    barOfBeat: [],
  });
  if (n < 4 || isSilentFile(input.rms)) return empty(true);

  // The gate works on the RMS frames; map it onto the activation frames (the same rate unless a model says otherwise).
  const gate = silenceGate(input.frameRms, input.frameRms.length, FRAME_RATE);
  const blocked = new Uint8Array(n);
  for (let t = 0; t < n; t++) blocked[t] = gate.blocked[Math.min(gate.blocked.length - 1, Math.round((t * FRAME_RATE) / act.fps))] ?? 0;
  const onsetBlocked = gate.blocked.subarray(0, input.onsetEnvelope.length);
  const onsetTimesSec = pickOnsetFrames(input.onsetEnvelope, FRAME_RATE, onsetBlocked).map((f) => timeSec(f / FRAME_RATE + ONSET_TIME_OFFSET_SEC));

  const decoded = decodeBarPointer(act.beat, act.downbeat, { ...options, fps: act.fps, blocked });
  if (decoded.beats.length === 0) return empty(false, onsetTimesSec);
  const offset = options.timeOffsetSec ?? 0;
  const beatTimesSec = decoded.beats.map((b) => timeSec(b.position / act.fps + offset));
  const beatConfidence = decoded.beats.map((b) => round3(b.confidence));
  const beatInBar = decoded.beats.map((b) => b.beatInBar);
  // Bars count from 1 at the first downbeat; pick-up beats before it are bar 0.
  const barOfBeat = decoded.beats.map((b) => b.barIndex + 1);

  const meanBeat = beatConfidence.reduce((a, c) => a + c, 0) / beatConfidence.length;
  const confidence = round3(Math.min(1, meanBeat) * Math.min(1, gate.audibleShare / 0.5));

  // Half tempo: the beats on the downbeat's phase (beats 1, 3, ... of each bar).
  const halfBeatTimesSec = beatTimesSec.filter((_, i) => (beatInBar[i]! - 1) % 2 === 0);
  const doubleBeatTimesSec: number[] = [];
  for (let i = 0; i < beatTimesSec.length; i++) {
    doubleBeatTimesSec.push(beatTimesSec[i]!);
    if (i + 1 < beatTimesSec.length) doubleBeatTimesSec.push(round3((beatTimesSec[i]! + beatTimesSec[i + 1]!) / 2));
  }
  const iois = beatTimesSec.slice(1).map((t, i) => t - beatTimesSec[i]!);
  const typical = typicalInterval(beatTimesSec);
  const tempoBpm = typical ? 60 / typical : 0;
  // Local tempo every second: the beat interval in force at that time (first/last interval outside the beats).
  const tempoCurveBpm: number[] = [];
  const durationSec = n / act.fps;
  let k = 0;
  for (let s = 0; s < durationSec; s += 1) {
    while (k + 1 < iois.length && beatTimesSec[k + 1]! <= s) k++;
    tempoCurveBpm.push(iois.length ? Math.round(Math.min(999, 60 / Math.max(0.06, iois[k]!)) * 10) / 10 : 0);
  }
  return {
    tempoBpm: Math.round(tempoBpm * 100) / 100,
    beatTimesSec,
    beatConfidence,
    confidence,
    onsetTimesSec,
    halfBeatTimesSec,
    doubleBeatTimesSec,
    tempoCurveBpm,
    tempoCurveStepSec: 1,
    silent: false,
    beatsPerBar: decoded.beatsPerBar,
    beatInBar,
    barOfBeat,
  };
}
