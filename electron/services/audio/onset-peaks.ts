/**
 * Onset times from the onset envelope by adaptive peak picking (librosa's `onset_detect` defaults): a frame is
 * an onset if it is the maximum of the previous 30 ms, exceeds the 100 ms mean around it by `delta` (of the
 * normalised envelope), and comes at least 30 ms after the previous onset. Used for snapping beats in the UI.
 */
export function pickOnsetFrames(env: Float32Array, frameRate: number, blocked?: Uint8Array, delta = 0.07): number[] {
  const n = env.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    if (env[i]! < lo) lo = env[i]!;
    if (env[i]! > hi) hi = env[i]!;
  }
  if (!(hi > lo)) return [];
  const range = hi - lo;
  const preMax = Math.max(1, Math.round(0.03 * frameRate));
  const avg = Math.max(1, Math.round(0.1 * frameRate));
  const wait = Math.max(1, Math.round(0.03 * frameRate));
  // Running sums make the moving average O(n).
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + (env[i]! - lo) / range;
  const out: number[] = [];
  let lastOnset = -Infinity;
  for (let t = 1; t < n - 1; t++) {
    if (blocked?.[t]) continue;
    const v = (env[t]! - lo) / range;
    if (v < (env[t + 1]! - lo) / range) continue;
    let isMax = true;
    for (let k = Math.max(0, t - preMax); k < t; k++) if ((env[k]! - lo) / range > v) isMax = false;
    if (!isMax) continue;
    const a = Math.max(0, t - avg);
    const b = Math.min(n, t + avg + 1);
    const mean = (prefix[b]! - prefix[a]!) / (b - a);
    if (v < mean + delta) continue;
    if (t - lastOnset < wait) continue;
    out.push(t);
    lastOnset = t;
  }
  return out;
}
