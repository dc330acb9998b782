/**
 * Autocorrelation tempogram of an onset envelope (librosa's `tempogram`, computed every `strideFrames` frames
 * instead of every frame: tempo moves slowly, and this keeps a 60-minute song in the tens of milliseconds).
 */
import FFT from 'fft.js';

/** Analysis window of each column: ~8.9 s at 43 frames/s (librosa's ac_size = 8 s -> 384 frames). */
export const TEMPOGRAM_WINDOW_FRAMES = 384;
export const TEMPOGRAM_STRIDE_FRAMES = 8;

export interface Tempogram {
  /** Centre frame of each column. */
  centreFrames: Int32Array;
  /** Column c, lag l (frames) at `ac[c * lags + l]`; each column normalised so lag 0 is 1. */
  ac: Float32Array;
  lags: number;
  windowFrames: number;
}

export function tempogram(env: Float32Array, windowFrames = TEMPOGRAM_WINDOW_FRAMES, strideFrames = TEMPOGRAM_STRIDE_FRAMES): Tempogram {
  let n = 1;
  while (n < windowFrames * 2) n *= 2; // zero padding to 2W makes the FFT autocorrelation linear, not circular
  const fft = new FFT(n);
  const x = new Float64Array(n);
  const spec = new Float64Array(n * 2);
  const pw = new Float64Array(n);
  const back = new Float64Array(n * 2);
  const hann = new Float64Array(windowFrames);
  for (let i = 0; i < windowFrames; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / windowFrames);
  const lags = windowFrames;
  const columns = Math.max(1, Math.ceil(env.length / strideFrames));
  const centreFrames = new Int32Array(columns);
  const ac = new Float32Array(columns * lags);
  const half = Math.floor(windowFrames / 2);
  for (let c = 0; c < columns; c++) {
    const centre = c * strideFrames;
    centreFrames[c] = centre;
    // Remove the window's mean so the autocorrelation measures periodicity, not loudness (a positive signal's
    // raw autocorrelation slopes down with lag and biases tempo upwards).
    let mean = 0;
    let weight = 0;
    for (let i = 0; i < windowFrames; i++) {
      const t = centre - half + i;
      if (t >= 0 && t < env.length) {
        mean += env[t]! * hann[i]!;
        weight += hann[i]!;
      }
    }
    mean = weight > 0 ? mean / weight : 0;
    x.fill(0);
    for (let i = 0; i < windowFrames; i++) {
      const t = centre - half + i;
      if (t >= 0 && t < env.length) x[i] = (env[t]! - mean) * hann[i]!;
    }
    fft.realTransform(spec, x);
    fft.completeSpectrum(spec);
    for (let k = 0; k < n; k++) pw[k] = spec[2 * k]! * spec[2 * k]! + spec[2 * k + 1]! * spec[2 * k + 1]!;
    fft.realTransform(back, pw);
    const zero = back[0]!;
    const base = c * lags;
    if (zero > 1e-12) for (let l = 0; l < lags; l++) ac[base + l] = back[2 * l]! / zero;
  }
  return { centreFrames, ac, lags, windowFrames };
}

/** Mean over columns (optionally only those whose weight is non-zero, e.g. non-silent ones). */
export function meanTempogram(tg: Tempogram, columnWeight?: Float32Array): Float64Array {
  const out = new Float64Array(tg.lags);
  const columns = tg.centreFrames.length;
  let total = 0;
  for (let c = 0; c < columns; c++) {
    const w = columnWeight ? columnWeight[c]! : 1;
    if (w <= 0) continue;
    total += w;
    const base = c * tg.lags;
    for (let l = 0; l < tg.lags; l++) out[l] = out[l]! + w * tg.ac[base + l]!;
  }
  if (total > 0) for (let l = 0; l < tg.lags; l++) out[l] = out[l]! / total;
  return out;
}
