/**
 * Quality checks at a segment boundary, on RGB8 frames:
 * - flicker: mean absolute frame difference across the seam (last frame of the previous segment -> first of this
 *   one) divided by the mean difference between consecutive frames inside the segment; ~1 is a seamless join,
 *   well above 1 is a visible jump.
 * - drift: SSIM (8x8 windows on luma, standard constants) of the segment's frames against the reference image;
 *   falling SSIM over a song means the subject drifts away from the reference.
 * - beat alignment: Bailando's BAS as native-models/metrics/beat_alignment.py computes it (motion = central
 *   frame difference, Gaussian smoothing sigma 1 frame, kinematic beats = strict local minima, sigma 0.05 s).
 */
import { SEAM_FLICKER_WARN_RATIO, SEAM_SSIM_DRIFT_WARN } from '../../shared/contract/generate';

export interface RgbFrames {
  width: number;
  height: number;
  frames: Uint8Array[];
}

export interface SeamQa {
  /** null for the first segment (no seam). */
  flickerRatio: number | null;
  ssimMean: number;
  ssimLast: number;
  /** null when no music beat falls inside the segment's analysable frames. */
  beatAlignment: number | null;
  /** Human verdicts for the timeline badge. */
  warnings: string[];
}

const BAILANDO_SIGMA_SEC = 3 / 60;

const luma = (rgb: Uint8Array): Float64Array => {
  const out = new Float64Array(rgb.length / 3);
  for (let i = 0; i < out.length; i++) out[i] = 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
  return out;
};

const meanAbsDiff = (a: Uint8Array, b: Uint8Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
};

export function ssim(a: Uint8Array, b: Uint8Array, width: number, height: number, window = 8): number {
  const x = luma(a);
  const y = luma(b);
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let total = 0;
  let count = 0;
  const step = Math.max(1, window / 2);
  for (let wy = 0; wy + window <= height; wy += step) {
    for (let wx = 0; wx + window <= width; wx += step) {
      let mx = 0, my = 0;
      for (let j = 0; j < window; j++) for (let i = 0; i < window; i++) {
        const p = (wy + j) * width + wx + i;
        mx += x[p]!;
        my += y[p]!;
      }
      const n = window * window;
      mx /= n;
      my /= n;
      let vx = 0, vy = 0, cov = 0;
      for (let j = 0; j < window; j++) for (let i = 0; i < window; i++) {
        const p = (wy + j) * width + wx + i;
        vx += (x[p]! - mx) ** 2;
        vy += (y[p]! - my) ** 2;
        cov += (x[p]! - mx) * (y[p]! - my);
      }
      vx /= n - 1;
      vy /= n - 1;
      cov /= n - 1;
      total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      count++;
    }
  }
  return count ? total / count : 1;
}

function gaussianSmooth(curve: number[], sigma: number): number[] {
  const radius = Math.round(4 * sigma);
  const weights = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const sum = weights.reduce((a, b) => a + b, 0);
  return curve.map((_, i) => {
    let v = 0;
    for (let k = -radius; k <= radius; k++) v += curve[Math.min(curve.length - 1, Math.max(0, i + k))]! * weights[k + radius]!;
    return v / sum;
  });
}

/** BAS in [0, 1], or null when no beat falls on frames 1..T-2. `beatTimesSec` are relative to frame 0. */
export function beatAlignmentScore(frames: Uint8Array[], beatTimesSec: number[], fps: number): number | null {
  if (frames.length < 3) return null;
  const curve: number[] = [];
  for (let j = 1; j < frames.length - 1; j++) curve.push(meanAbsDiff(frames[j + 1]!, frames[j - 1]!) / 2);
  const smooth = gaussianSmooth(curve, 1);
  const motionBeats: number[] = [];
  for (let i = 1; i < smooth.length - 1; i++) if (smooth[i]! < smooth[i - 1]! && smooth[i]! < smooth[i + 1]!) motionBeats.push((i + 1) / fps);
  const first = 1 / fps;
  const last = (frames.length - 2) / fps;
  const music = beatTimesSec.filter((t) => t >= first && t <= last);
  if (!music.length) return null;
  if (!motionBeats.length) return 0;
  const scores = music.map((t) => Math.exp(-Math.min(...motionBeats.map((m) => (m - t) ** 2)) / (2 * BAILANDO_SIGMA_SEC ** 2)));
  return scores.reduce((a, b) => a + b, 0) / scores.length;
}

export function seamQa(current: RgbFrames, previousLast: Uint8Array | null, reference: Uint8Array, beatTimesSec: number[], fps: number): SeamQa {
  const { frames, width, height } = current;
  let within = 0;
  for (let k = 1; k < frames.length; k++) within += meanAbsDiff(frames[k]!, frames[k - 1]!);
  within /= Math.max(1, frames.length - 1);
  const flickerRatio = previousLast ? meanAbsDiff(frames[0]!, previousLast) / Math.max(within, 1e-6) : null;
  const ssims = frames.map((f) => ssim(f, reference, width, height));
  const ssimMean = ssims.reduce((a, b) => a + b, 0) / ssims.length;
  const ssimLast = ssims[ssims.length - 1]!;
  const beatAlignment = beatAlignmentScore(frames, beatTimesSec, fps);
  const warnings: string[] = [];
  if (flickerRatio !== null && flickerRatio > SEAM_FLICKER_WARN_RATIO) warnings.push(`seam jump ${flickerRatio.toFixed(1)}x the usual frame change`);
  if (ssimMean < SEAM_SSIM_DRIFT_WARN) warnings.push(`drifted from the reference (SSIM ${ssimMean.toFixed(2)})`);
  return { flickerRatio, ssimMean, ssimLast, beatAlignment, warnings };
}
