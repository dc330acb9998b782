/**
 * Tempo from a tempogram: a global estimate (librosa's `tempo`: mean autocorrelation weighted by a log-normal
 * prior around 120 BPM) and a smooth local tempo path (Viterbi over lags) so the beat tracker can follow tempo
 * changes instead of assuming one period for the whole song.
 */
import type { Tempogram } from './tempogram';

export const PRIOR_CENTRE_BPM = 120;
/** Width of the log-normal prior in octaves (librosa: std_bpm = 1). */
export const PRIOR_STD_OCTAVES = 1;
export const MIN_BPM = 30;
export const MAX_BPM = 300;
const SALIENCE_DOUBLE_LAG_WEIGHT = 0.25;

export const lagToBpm = (lagFrames: number, frameRate: number): number => (60 * frameRate) / lagFrames;
export const bpmToLag = (bpm: number, frameRate: number): number => (60 * frameRate) / bpm;

const logPrior = (bpm: number): number => -0.5 * ((Math.log2(bpm) - Math.log2(PRIOR_CENTRE_BPM)) / PRIOR_STD_OCTAVES) ** 2;

/** Peak position refined by a parabola through the neighbours (sub-frame lag). */
function refineLag(values: ArrayLike<number>, lag: number): number {
  const a = values[lag - 1];
  const b = values[lag]!;
  const c = values[lag + 1];
  if (a === undefined || c === undefined) return lag;
  const denom = a - 2 * b + c;
  if (denom >= 0) return lag;
  const shift = (0.5 * (a - c)) / denom;
  return lag + Math.max(-0.5, Math.min(0.5, shift));
}

/**
 * Periodicity strength at each lag. A true beat period also shows a peak at twice its lag (bars), a sub-beat
 * gets less such support; a small share of the doubled lag breaks near-ties towards beat-level peaks.
 * (Measured on the evaluation set: weights 0..0.5 give the same result once `chooseMetricalLevel` runs.)
 */
export function beatSalience(meanAc: ArrayLike<number>, lags: number, doubleLagWeight = SALIENCE_DOUBLE_LAG_WEIGHT): Float64Array {
  const out = new Float64Array(lags);
  for (let l = 1; l < lags; l++) {
    let s = Math.max(0, meanAc[l]!);
    const l2 = 2 * l;
    if (l2 < lags) s += doubleLagWeight * Math.max(0, meanAc[l2]!);
    out[l] = s;
  }
  return out;
}

export interface GlobalTempo {
  bpm: number;
  lagFrames: number;
  /** Autocorrelation at the chosen lag (0..1): how periodic the onsets are. */
  periodicity: number;
}

/** `plain`: librosa's estimate (no doubled-lag support), for baselines. */
export function globalTempo(meanAc: ArrayLike<number>, lags: number, frameRate: number, plain = false): GlobalTempo {
  const salience = beatSalience(meanAc, lags, plain ? 0 : SALIENCE_DOUBLE_LAG_WEIGHT);
  const minLag = Math.max(1, Math.floor(bpmToLag(MAX_BPM, frameRate)));
  const maxLag = Math.min(lags - 2, Math.ceil(bpmToLag(MIN_BPM, frameRate)));
  let best = -1;
  let bestScore = -Infinity;
  for (let l = minLag; l <= maxLag; l++) {
    const score = Math.log1p(1e6 * salience[l]!) + logPrior(lagToBpm(l, frameRate));
    if (score > bestScore) {
      bestScore = score;
      best = l;
    }
  }
  if (best < 0) return { bpm: PRIOR_CENTRE_BPM, lagFrames: bpmToLag(PRIOR_CENTRE_BPM, frameRate), periodicity: 0 };
  const lag = refineLag(meanAc, best);
  return { bpm: lagToBpm(lag, frameRate), lagFrames: lag, periodicity: Math.max(0, Math.min(1, meanAc[best]!)) };
}

/** Softness of the path's pull towards the global tempo: 0.5 octave lets 96 -> 132 BPM changes through. */
const TEMPO_PATH_PULL_OCTAVES = 0.5;

/** Per-column lag (frames, fractional) of a smooth tempo path that stays within `spanOctaves` of `centreLag`. */
export function tempoPath(tg: Tempogram, centreLag: number, spanOctaves = 0.6, octavesPerColumn = 0.03): Float64Array {
  const columns = tg.centreFrames.length;
  const lo = Math.max(2, Math.floor(centreLag * 2 ** -spanOctaves));
  const hi = Math.min(tg.lags - 2, Math.ceil(centreLag * 2 ** spanOctaves));
  const path = new Float64Array(columns).fill(centreLag);
  if (hi <= lo || columns === 0) return path;
  const states = hi - lo + 1;
  const logLag = Float64Array.from({ length: states }, (_, i) => Math.log2(lo + i));
  const emission = (c: number, i: number): number => {
    const v = tg.ac[c * tg.lags + lo + i]!;
    const v2 = 2 * (lo + i) < tg.lags ? tg.ac[c * tg.lags + 2 * (lo + i)]! : 0;
    const s = Math.max(0, v) + 0.5 * Math.max(0, v2);
    // Soft pull towards the global tempo keeps the path on the same metrical level.
    return Math.log(s + 0.05) - 0.5 * ((logLag[i]! - Math.log2(centreLag)) / TEMPO_PATH_PULL_OCTAVES) ** 2;
  };
  let score = new Float64Array(states);
  let next = new Float64Array(states);
  const back = new Int16Array(columns * states);
  for (let i = 0; i < states; i++) score[i] = emission(0, i);
  // Only nearby lags are reachable in one column step; the band keeps Viterbi linear in the number of lags.
  const reach = 3;
  const inv2s2 = 1 / (2 * octavesPerColumn * octavesPerColumn);
  for (let c = 1; c < columns; c++) {
    for (let j = 0; j < states; j++) {
      let bestPrev = -Infinity;
      let arg = j;
      for (let i = Math.max(0, j - reach); i <= Math.min(states - 1, j + reach); i++) {
        const d = logLag[j]! - logLag[i]!;
        const s = score[i]! - d * d * inv2s2;
        if (s > bestPrev) {
          bestPrev = s;
          arg = i;
        }
      }
      next[j] = bestPrev + emission(c, j);
      back[c * states + j] = arg;
    }
    [score, next] = [next, score];
  }
  let state = 0;
  for (let i = 1; i < states; i++) if (score[i]! > score[state]!) state = i;
  for (let c = columns - 1; c >= 0; c--) {
    path[c] = refineLag(tg.ac.subarray(c * tg.lags, (c + 1) * tg.lags), lo + state);
    if (c > 0) state = back[c * states + state]!;
  }
  return path;
}
