/**
 * Beat tracking by dynamic programming (Ellis 2007, as in librosa's `beat_track`), generalised to a period that
 * may change from frame to frame (the tempo path), so a song that speeds up keeps its beats.
 *   cumscore[t] = localscore[t] + max_{tau in [t - 2p, t - p/2]} ( cumscore[tau] - tightness * log((t - tau) / p)^2 )
 * Backtracking from the last strong beat gives the beat frames; weak leading/trailing beats are trimmed.
 */
export const DEFAULT_TIGHTNESS = 100;

/** Onset envelope divided by its standard deviation (librosa's `__normalize_onsets`). */
export function normaliseOnsets(env: Float32Array): Float64Array {
  const n = env.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += env[i]!;
  mean /= Math.max(1, n);
  let v = 0;
  for (let i = 0; i < n; i++) v += (env[i]! - mean) ** 2;
  const std = Math.sqrt(v / Math.max(1, n - 1));
  const out = new Float64Array(n);
  if (std > 0) for (let i = 0; i < n; i++) out[i] = env[i]! / std;
  return out;
}

/** Onsets smoothed by a Gaussian whose width is 1/32 of a beat period: how much "beat evidence" each frame has. */
export function localScore(norm: Float64Array, periodFrames: number): Float64Array {
  const res = Math.max(1, Math.round(periodFrames));
  const kernel: number[] = [];
  for (let i = -res; i <= res; i++) kernel.push(Math.exp(-0.5 * ((i * 32) / res) ** 2));
  const n = norm.length;
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let acc = 0;
    const lo = Math.max(0, t - res);
    const hi = Math.min(n - 1, t + res);
    for (let u = lo; u <= hi; u++) acc += norm[u]! * kernel[u - t + res]!;
    out[t] = acc;
  }
  return out;
}

export interface DpOptions {
  tightness?: number;
  /** Frames that may not hold a beat (silence gate). */
  blocked?: Uint8Array;
}

/**
 * Returns beat frames (ascending). `periodAt(t)` gives the beat period in frames at frame t.
 */
export function trackBeatsDp(local: Float64Array, periodAt: (t: number) => number, options: DpOptions = {}): number[] {
  const tightness = options.tightness ?? DEFAULT_TIGHTNESS;
  const n = local.length;
  if (n === 0) return [];
  const cum = new Float64Array(n);
  const backlink = new Int32Array(n).fill(-1);
  let maxLocal = 0;
  for (let t = 0; t < n; t++) if (local[t]! > maxLocal) maxLocal = local[t]!;
  const startThreshold = 0.01 * maxLocal;
  let started = false;
  // log of every whole-frame distance the window can reach: the inner loop then needs no Math.log.
  const logDist = new Float64Array(Math.ceil(2 * maxPeriod(periodAt, n)) + 3);
  for (let d = 1; d < logDist.length; d++) logDist[d] = Math.log(d);
  for (let t = 0; t < n; t++) {
    const p = periodAt(t);
    const logP = Math.log(p);
    const lo = t - Math.round(2 * p);
    const hi = t - Math.round(p / 2);
    let best = -Infinity;
    let arg = -1;
    for (let tau = Math.max(0, lo); tau <= hi; tau++) {
      const r = (logDist[t - tau] ?? Math.log(t - tau)) - logP;
      const s = cum[tau]! - tightness * r * r;
      if (s > best) {
        best = s;
        arg = tau;
      }
    }
    const here = options.blocked?.[t] ? -1e3 : local[t]!;
    // Like librosa: reaching back before the start of the song scores 0, so the first beat needs no predecessor.
    if (lo < 0 && (arg < 0 || best < 0)) {
      best = 0;
      arg = -1;
    }
    cum[t] = here + (arg >= 0 ? best : 0);
    if (!started && local[t]! < startThreshold) backlink[t] = -1;
    else {
      backlink[t] = arg;
      started = true;
    }
  }
  const last = lastBeatFrame(cum, periodAt(n - 1), local);
  const beats: number[] = [];
  for (let t = last; t >= 0; t = backlink[t]!) beats.push(t);
  beats.reverse();
  return beats;
}

/**
 * Where backtracking starts. librosa takes the last local maximum of the cumulative score above half the
 * median maximum; near the end of a clip that is often a frame between beats (cut-off audio, a reverb tail).
 * We take the best cumulative score within the last beat period of audible music instead: the true last beat
 * collects its own onset on top of its predecessors', which an in-between frame cannot.
 */
function lastBeatFrame(cum: Float64Array, period: number, local: Float64Array): number {
  const n = cum.length;
  // Ignore a silent tail: end the search at the last frame with onset evidence.
  let end = n - 1;
  while (end > 0 && local[end]! <= 1e-9) end--;
  const start = Math.max(0, end - Math.round(period * 1.2));
  let best = end;
  for (let t = start; t <= end; t++) if (cum[t]! > cum[best]!) best = t;
  return best;
}

/**
 * Drops weak beats at the start and end (fade-ins, reverb tails, silence): librosa's `trim=True`. The beat
 * strengths are smoothed over 5 beats and compared with half their RMS.
 */
export function trimWeakBeats(local: Float64Array, beats: number[]): number[] {
  if (beats.length < 3) return beats;
  const strength = beats.map((b) => local[b]!);
  const hann = [0.25, 0.75, 1, 0.75, 0.25]; // hann(5) without its zero ends, as librosa's window
  const smooth = strength.map((_, i) => {
    let acc = 0;
    for (let k = -2; k <= 2; k++) {
      const v = strength[i + k];
      if (v !== undefined) acc += v * hann[k + 2]!;
    }
    return acc;
  });
  const rms = Math.sqrt(smooth.reduce((a, v) => a + v * v, 0) / smooth.length);
  const threshold = 0.5 * rms;
  let first = 0;
  while (first < smooth.length && smooth[first]! <= threshold) first++;
  let last = smooth.length - 1;
  while (last >= first && smooth[last]! <= threshold) last--;
  return beats.slice(first, last + 1);
}

/** Longest period the tracker may use (sampled every 16 frames; the tempo path moves slowly). */
function maxPeriod(periodAt: (t: number) => number, n: number): number {
  let m = 1;
  for (let t = 0; t < n; t += 16) m = Math.max(m, periodAt(t));
  return Math.max(m, periodAt(n - 1)) + 1;
}
