/**
 * Quality checks at a segment boundary, on RGB8 frames:
 * - flicker: mean absolute frame difference across the seam (last frame of the previous segment -> first of this
 *   one) divided by the mean difference between consecutive frames inside the segment; ~1 is a seamless join,
 *   well above 1 is a visible jump.
 * - drift: SSIM (8x8 windows on luma, standard constants) of the segment's frames against the reference image,
 *   inside the subject's box (issue 23: over the whole frame a plain background scored 0.55-0.74 with no figure);
 *   falling SSIM over a song means the subject drifts away from the reference.
 * - beat alignment: Bailando's BAS as native-models/metrics/beat_alignment.py computes it (motion = central
 *   frame difference, Gaussian smoothing sigma 1 frame, kinematic beats = strict local minima, sigma 0.05 s), with
 *   its chance level (random beat times on the same frames): one 4 s segment has few beats, so the score alone is
 *   mostly noise and is shown only with that uncertainty.
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
  /** The score random beat times get on the same frames (mean, sd): a score inside mean + 2 sd is noise. */
  beatAlignmentChance: { mean: number; sd: number } | null;
  /** Where the SSIM to the reference was measured: the subject's box, or the whole frame (no distinct subject). */
  identityOn: 'subject' | 'frame';
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
  return basOf(kinematicBeats(frames, fps), beatTimesSec, frames.length, fps);
}

/** Kinematic beats: strict local minima of the smoothed motion curve (seconds from frame 0). */
function kinematicBeats(frames: Uint8Array[], fps: number): number[] {
  const curve: number[] = [];
  for (let j = 1; j < frames.length - 1; j++) curve.push(meanAbsDiff(frames[j + 1]!, frames[j - 1]!) / 2);
  const smooth = gaussianSmooth(curve, 1);
  const motionBeats: number[] = [];
  for (let i = 1; i < smooth.length - 1; i++) if (smooth[i]! < smooth[i - 1]! && smooth[i]! < smooth[i + 1]!) motionBeats.push((i + 1) / fps);
  return motionBeats;
}

function basOf(motionBeats: number[], beatTimesSec: number[], frameCount: number, fps: number): number | null {
  const first = 1 / fps;
  const last = (frameCount - 2) / fps;
  const music = beatTimesSec.filter((t) => t >= first && t <= last);
  if (!music.length) return null;
  if (!motionBeats.length) return 0;
  const scores = music.map((t) => Math.exp(-Math.min(...motionBeats.map((m) => (m - t) ** 2)) / (2 * BAILANDO_SIGMA_SEC ** 2)));
  return scores.reduce((a, b) => a + b, 0) / scores.length;
}

/**
 * Where the subject is in the reference (issue 23: identity was scored mostly on the background): pixels far
 * from the border's median colour, as a box grown by a quarter of its size on each side (the dancer moves
 * around its pose). Null when the picture has no distinct subject (then the whole frame is scored).
 */
export function subjectBox(reference: Uint8Array, width: number, height: number): { x0: number; y0: number; x1: number; y1: number } | null {
  const border: number[][] = [[], [], []];
  for (let x = 0; x < width; x++) for (const y of [0, height - 1]) for (let c = 0; c < 3; c++) border[c]!.push(reference[(y * width + x) * 3 + c]!);
  for (let y = 0; y < height; y++) for (const x of [0, width - 1]) for (let c = 0; c < 3; c++) border[c]!.push(reference[(y * width + x) * 3 + c]!);
  const bg = border.map((v) => v.sort((a, b) => a - b)[v.length >> 1]!);
  let x0 = width, y0 = height, x1 = -1, y1 = -1, count = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      if (Math.max(Math.abs(reference[p]! - bg[0]!), Math.abs(reference[p + 1]! - bg[1]!), Math.abs(reference[p + 2]! - bg[2]!)) <= SUBJECT_COLOUR_DIST) continue;
      count++;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  const share = count / (width * height);
  if (share < 0.01 || share > 0.9) return null;
  const gx = Math.ceil((x1 - x0 + 1) / 4);
  const gy = Math.ceil((y1 - y0 + 1) / 4);
  return { x0: Math.max(0, x0 - gx), y0: Math.max(0, y0 - gy), x1: Math.min(width - 1, x1 + gx), y1: Math.min(height - 1, y1 + gy) };
}

/** A pixel this far (max over channels, 0-255) from the background colour belongs to the subject. */
const SUBJECT_COLOUR_DIST = 40;

/** SSIM inside the subject box (windows weighted by how much of them lies in it); the whole frame without a box. */
export function subjectSsim(a: Uint8Array, b: Uint8Array, width: number, height: number, box: ReturnType<typeof subjectBox>): number {
  if (!box) return ssim(a, b, width, height);
  const w = box.x1 - box.x0 + 1;
  const h = box.y1 - box.y0 + 1;
  const crop = (rgb: Uint8Array) => {
    const out = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) out.set(rgb.subarray(((box.y0 + y) * width + box.x0) * 3, ((box.y0 + y) * width + box.x0 + w) * 3), y * w * 3);
    return out;
  };
  return ssim(crop(a), crop(b), w, h, Math.min(8, w, h));
}

/** Chance level of the beat-alignment score: BAS of the same frames against random beat times (fixed seed). */
export function beatAlignmentChance(frames: Uint8Array[], beatCount: number, fps: number, draws = 48): { mean: number; sd: number } | null {
  if (frames.length < 3 || beatCount < 1) return null;
  let state = 0x9e3779b9;
  const rand = () => ((state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
  const first = 1 / fps;
  const last = (frames.length - 2) / fps;
  const scores: number[] = [];
  const motion = kinematicBeats(frames, fps);
  for (let d = 0; d < draws; d++) {
    const beats = Array.from({ length: beatCount }, () => first + rand() * (last - first));
    const s = basOf(motion, beats, frames.length, fps);
    if (s !== null) scores.push(s);
  }
  if (!scores.length) return null;
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const sd = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, scores.length - 1));
  return { mean, sd };
}

export function seamQa(current: RgbFrames, previousLast: Uint8Array | null, reference: Uint8Array, beatTimesSec: number[], fps: number): SeamQa {
  const { frames, width, height } = current;
  let within = 0;
  for (let k = 1; k < frames.length; k++) within += meanAbsDiff(frames[k]!, frames[k - 1]!);
  within /= Math.max(1, frames.length - 1);
  const flickerRatio = previousLast ? meanAbsDiff(frames[0]!, previousLast) / Math.max(within, 1e-6) : null;
  const box = subjectBox(reference, width, height);
  const ssims = frames.map((f) => subjectSsim(f, reference, width, height, box));
  const ssimMean = ssims.reduce((a, b) => a + b, 0) / ssims.length;
  const ssimLast = ssims[ssims.length - 1]!;
  const beatAlignment = beatAlignmentScore(frames, beatTimesSec, fps);
  const inside = beatTimesSec.filter((t) => t >= 1 / fps && t <= (frames.length - 2) / fps).length;
  const chance = beatAlignment === null ? null : beatAlignmentChance(frames, inside, fps);
  const warnings: string[] = [];
  if (flickerRatio !== null && flickerRatio > SEAM_FLICKER_WARN_RATIO) warnings.push(`seam jump ${flickerRatio.toFixed(1)}x the usual frame change`);
  if (ssimMean < SEAM_SSIM_DRIFT_WARN) warnings.push(`drifted from the reference (SSIM ${ssimMean.toFixed(2)})`);
  return { flickerRatio, ssimMean, ssimLast, beatAlignment, beatAlignmentChance: chance, identityOn: box ? 'subject' : 'frame', warnings };
}
