/**
 * From onset features to beats: tempo, beat times, per-beat and overall confidence, onset times and the
 * half/double-tempo alternatives. Pure computation (no I/O), shared by `beats.analyse` and `beats.redetect`.
 */
import { FRAME_RATE } from './analysis-params';
import { DEFAULT_TIGHTNESS, localScore, normaliseOnsets, trackBeatsDp, trimWeakBeats } from './beat-dp';
import { chooseMetricalLevel } from './metrical-level';
import { pickOnsetFrames } from './onset-peaks';
import { isSilentFile, silenceGate } from './silence-gate';
import { globalTempo, lagToBpm, tempoPath } from './tempo-estimate';
import { meanTempogram, tempogram } from './tempogram';
import { typicalInterval } from './beat-intervals';

export interface TrackInput {
  onsetEnvelope: Float32Array;
  frameRms: Float32Array;
  /** Whole-file RMS (linear). */
  rms: number;
}

export interface TrackOptions {
  tightness?: number;
  /** Follow tempo changes (default true); false = one period for the whole song, like librosa. */
  variableTempo?: boolean;
  /** Choose between half/base/double tempo by beat contrast and use octave-aware salience (default true);
   * false = librosa's plain prior-weighted tempogram peak. */
  metricalLevel?: boolean;
  /** Force the tempo (BPM) instead of estimating it (used to re-detect at half/double tempo). */
  tempoBpm?: number;
  /** Seconds added to every frame time (calibrated so beats land on the attack). */
  timeOffsetSec?: number;
  /** Beats the user anchored (seconds, same clock as the output): kept exactly, the rest is fitted around them. */
  anchoredSec?: number[];
}

export interface BeatTrack {
  tempoBpm: number;
  beatTimesSec: number[];
  /** 0..1 per beat: onset evidence at the beat relative to the song's strongest onsets. */
  beatConfidence: number[];
  /** 0..1 for the whole track: periodicity of the onsets x mean beat confidence x non-silent share. */
  confidence: number;
  onsetTimesSec: number[];
  halfBeatTimesSec: number[];
  doubleBeatTimesSec: number[];
  /** Local tempo (BPM) sampled every `tempoCurveStepSec`. */
  tempoCurveBpm: number[];
  tempoCurveStepSec: number;
  silent: boolean;
  /** Bars, when the tracker finds them (the network tracker; the DP tracker does not): beats per bar (0 = none found). */
  beatsPerBar?: number;
  /** Per beat: 1-based position in its bar (1 = downbeat). */
  beatInBar?: number[];
  /** Per beat: its bar, counted from 1 at the first downbeat (0 = pick-up beats before it). */
  barOfBeat?: number[];
}

/**
 * Measured on the evaluation set: with the centring shift, flux peaks still come out ~20 ms after the attack
 * (the attack must rise within the window), so we move them back (mean F best between -15 and -35 ms).
 */
export const ONSET_TIME_OFFSET_SEC = -0.02;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
/** Times never go below 0 (the onset offset could push a beat at the very start to -20 ms). */
const timeSec = (x: number) => Math.max(0, round3(x));

const EMPTY = (silent: boolean): BeatTrack => ({
  tempoBpm: 0,
  beatTimesSec: [],
  beatConfidence: [],
  confidence: 0,
  onsetTimesSec: [],
  halfBeatTimesSec: [],
  doubleBeatTimesSec: [],
  tempoCurveBpm: [],
  tempoCurveStepSec: 1,
  silent,
});

function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
}

export function trackBeats(input: TrackInput, options: TrackOptions = {}): BeatTrack {
  const env = input.onsetEnvelope;
  const frameRate = FRAME_RATE;
  const offset = options.timeOffsetSec ?? ONSET_TIME_OFFSET_SEC;
  if (env.length < 4 || isSilentFile(input.rms)) return EMPTY(true);

  // Silence gate inside the song: quiet frames cannot hold a beat or an onset.
  const { blocked, audibleShare } = silenceGate(input.frameRms, env.length, frameRate);
  const onsetTimesSec = pickOnsetFrames(env, frameRate, blocked).map((f) => timeSec(f / frameRate + offset));

  const tg = tempogram(env);
  const columnWeight = new Float32Array(tg.centreFrames.length);
  for (let c = 0; c < columnWeight.length; c++) columnWeight[c] = blocked[tg.centreFrames[c]!] ? 0 : 1;
  const meanAc = meanTempogram(tg, columnWeight.some((w) => w > 0) ? columnWeight : undefined);
  const global = globalTempo(meanAc, tg.lags, frameRate, options.metricalLevel === false);
  const norm = normaliseOnsets(env);
  let lagFrames = options.tempoBpm ? (60 * frameRate) / options.tempoBpm : global.lagFrames;
  let local = localScore(norm, lagFrames);
  if (!options.tempoBpm && options.metricalLevel !== false) {
    const level = chooseMetricalLevel(local, lagFrames, frameRate, blocked);
    if (level.lagFrames !== lagFrames) {
      lagFrames = level.lagFrames;
      local = localScore(norm, lagFrames);
    }
  }
  const anchorSecByFrame = new Map<number, number>();
  for (const sec of options.anchoredSec ?? []) {
    const f = Math.round((sec - offset) * frameRate);
    if (f >= 0 && f < env.length) anchorSecByFrame.set(f, sec);
  }
  const anchors = [...anchorSecByFrame.keys()];
  const evidence = local; // before anchor boosts: trimming and confidence judge the music, not the anchors
  if (anchors.length) {
    // An anchor is a certain beat: give it overwhelming evidence, and keep other beats from crowding it.
    local = Float64Array.from(local);
    const guard = Math.max(1, Math.round(lagFrames / 3));
    let strongest = 0;
    for (let t = 0; t < local.length; t++) strongest = Math.max(strongest, local[t]!);
    for (const a of anchors) {
      for (let t = Math.max(0, a - guard); t <= Math.min(env.length - 1, a + guard); t++) if (t !== a) blocked[t] = 1;
      blocked[a] = 0;
      local[a] = 10 * Math.max(1, strongest);
    }
  }
  const path = options.variableTempo === false || options.tempoBpm ? null : tempoPath(tg, lagFrames);
  const stride = tg.centreFrames[1] ?? 1;
  const periodAt = path ? (t: number) => path[Math.min(path.length - 1, Math.round(t / stride))]! : () => lagFrames;
  let beats = trackBeatsDp(local, periodAt, { tightness: options.tightness ?? DEFAULT_TIGHTNESS, blocked });
  beats = trimWeakBeats(evidence, beats).filter((b) => !blocked[b]);
  if (anchors.length) beats = [...new Set([...beats, ...anchors])].sort((a, b) => a - b);
  if (beats.length === 0) return { ...EMPTY(false), onsetTimesSec };

  // Per-beat confidence: local evidence between the song's typical frame (median) and its strong onsets (q98).
  const floor = quantile(evidence, 0.5);
  const ceil = Math.max(floor + 1e-9, quantile(evidence, 0.98));
  const beatConfidence = beats.map((b) => (anchorSecByFrame.has(b) ? 1 : round3(Math.max(0, Math.min(1, (evidence[b]! - floor) / (ceil - floor))))));
  const meanBeat = beatConfidence.reduce((a, c) => a + c, 0) / beatConfidence.length;
  const periodicity = Math.max(0, Math.min(1, global.periodicity / 0.35));
  const confidence = round3(Math.sqrt(meanBeat * periodicity) * Math.min(1, audibleShare / 0.5));

  const toSec = (f: number) => timeSec(f / frameRate + offset);
  // Sub-frame position of a beat: the vertex of a parabola through the onset evidence around its frame
  // (frames are 23 ms apart; at 12 fps a beat near a frame boundary needs better than that).
  const refinedSec = (f: number) => {
    const a = evidence[f - 1];
    const b = evidence[f]!;
    const c = evidence[f + 1];
    if (a === undefined || c === undefined) return toSec(f);
    const denom = a - 2 * b + c;
    if (!(denom < 0)) return toSec(f);
    return timeSec((f + Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom))) / frameRate + offset);
  };
  // Anchored beats come back at exactly the time the user set, not rounded to a frame.
  const beatTimesSec = beats.map((f) => anchorSecByFrame.get(f) ?? refinedSec(f));
  // Half tempo: every other beat, on the phase with more onset evidence.
  const phaseScore = [0, 1].map((ph) => beats.filter((_, i) => i % 2 === ph).reduce((a, b) => a + evidence[b]!, 0));
  const halfPhase = phaseScore[1]! > phaseScore[0]! ? 1 : 0;
  const halfBeatTimesSec = beatTimesSec.filter((_, i) => i % 2 === halfPhase);
  const doubleBeatTimesSec: number[] = [];
  for (let i = 0; i < beatTimesSec.length; i++) {
    doubleBeatTimesSec.push(beatTimesSec[i]!);
    if (i + 1 < beatTimesSec.length) doubleBeatTimesSec.push(round3((beatTimesSec[i]! + beatTimesSec[i + 1]!) / 2));
  }
  const tempoCurveStepSec = 1;
  const tempoCurveBpm: number[] = [];
  const durationSec = env.length / frameRate;
  for (let s = 0; s < durationSec; s += tempoCurveStepSec) tempoCurveBpm.push(Math.round(lagToBpm(periodAt(Math.round(s * frameRate)), frameRate) * 10) / 10);
  // The reported tempo follows the beats (mean of the middle half of their intervals): robust to a skipped
  // beat, not quantised to whole frames, and the typical tempo when it drifts.
  const typical = typicalInterval(beats);
  const tempoBpm = lagToBpm(typical ?? lagFrames, frameRate);
  return {
    tempoBpm: Math.round(tempoBpm * 100) / 100,
    beatTimesSec,
    beatConfidence,
    confidence,
    onsetTimesSec,
    halfBeatTimesSec,
    doubleBeatTimesSec,
    tempoCurveBpm,
    tempoCurveStepSec,
    silent: false,
  };
}
