/**
 * Slaney-style mel filterbank (librosa's default: `htk=False`, `norm='slaney'`), stored sparsely because each
 * FFT bin falls into at most two triangles; applying it costs ~2 multiply-adds per bin instead of 128.
 */
export interface MelFilterbank {
  bands: number;
  /** For band m: first FFT bin and its weights over consecutive bins. */
  startBin: Int32Array;
  weights: Float32Array[];
}

const F_SP = 200 / 3; // Hz per mel below the break (Slaney)
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

export const hzToMel = (hz: number): number => (hz < MIN_LOG_HZ ? hz / F_SP : MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP);
export const melToHz = (mel: number): number => (mel < MIN_LOG_MEL ? mel * F_SP : MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)));

export function melFilterbank(sampleRate: number, fftSize: number, bands: number, fMinHz = 0, fMaxHz = sampleRate / 2): MelFilterbank {
  const bins = fftSize / 2 + 1;
  const melMin = hzToMel(fMinHz);
  const melMax = hzToMel(fMaxHz);
  const edgesHz = Array.from({ length: bands + 2 }, (_, i) => melToHz(melMin + ((melMax - melMin) * i) / (bands + 1)));
  const startBin = new Int32Array(bands);
  const weights: Float32Array[] = [];
  for (let m = 0; m < bands; m++) {
    const lo = edgesHz[m]!;
    const mid = edgesHz[m + 1]!;
    const hi = edgesHz[m + 2]!;
    const norm = 2 / (hi - lo); // Slaney: constant energy per band
    const w: number[] = [];
    let first = -1;
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / fftSize;
      const v = Math.max(0, Math.min((f - lo) / (mid - lo), (hi - f) / (hi - mid)));
      if (v > 0) {
        if (first < 0) first = k;
        w.push(v * norm);
      } else if (first >= 0) break;
    }
    startBin[m] = Math.max(0, first);
    weights.push(Float32Array.from(w));
  }
  return { bands, startBin, weights };
}

/** mel[m] = sum_k W[m,k] * power[k]. */
export function applyMel(fb: MelFilterbank, power: Float64Array, out: Float64Array): void {
  for (let m = 0; m < fb.bands; m++) {
    const w = fb.weights[m]!;
    let k = fb.startBin[m]!;
    let acc = 0;
    for (let j = 0; j < w.length; j++, k++) acc += w[j]! * power[k]!;
    out[m] = acc;
  }
}
