/**
 * Beats and downbeats from a network's activations by a bar-pointer dynamic Bayesian network (Whiteley et al.
 * 2006; the sparse state space of Krebs, Böck & Widmer 2015, as used by madmom's downbeat DBN), decoded by Viterbi.
 *
 * State = (tempo, position in the bar). A tempo is a whole number of frames per beat, l; a bar of B beats has
 * B * l positions. The pointer moves one position per frame; the tempo may change only where a beat starts
 * (probability exp(-lambda * |l'/l - 1|), normalised per source tempo, cut where negligible, so each beat start has
 * ~a dozen predecessors instead of all tempi). The first 1/observationLambda of every beat is its "beat region":
 * there the frame is explained by the downbeat activation (first beat of the bar) or the beat activation (other
 * beats); everywhere else by "no beat".
 *
 * Only beat-start states need back-pointers (every other state has exactly one predecessor), so memory is
 * frames x tempi x B bytes (a 60-minute song in 7/4: ~40 MB) and backtracking jumps a whole beat at a time.
 *
 * Meters 2..7 are too many to decode jointly in well under a second, so the search is narrowed first: a
 * one-beat-per-bar decode gives the beats, the beat-synchronous downbeat activation ranks the meters (the true
 * meter puts the strong downbeats on one phase), and the full bar pointer decodes the best few; the highest
 * Viterbi log-probability wins.
 */

export interface BarPointerOptions {
  /** Activation frames per second. */
  fps: number;
  minBpm?: number;
  maxBpm?: number;
  /** Beats per bar that may be chosen (each 1..12). */
  meters?: readonly number[];
  /** How many of the meters (ranked by beat-synchronous downbeat contrast) get the full joint decode. */
  meterCandidates?: number;
  /** Tempo-change stiffness (madmom's transition_lambda). */
  transitionLambda?: number;
  /** 1/observationLambda of each beat is its beat region (madmom's observation_lambda). */
  observationLambda?: number;
  /** Frames that may not hold a beat (the silence gate): beats decoded there are dropped. */
  blocked?: Uint8Array;
  /** Decoding starts at the first and ends at the last frame whose beat activation reaches this. */
  threshold?: number;
}

export interface DecodedBeat {
  /** Frame of the beat (the activation peak inside the beat region the decoder chose). */
  frame: number;
  /** Sub-frame position (parabolic peak of the activation), in frames. */
  position: number;
  /** 1-based position in the bar: 1 = downbeat. */
  beatInBar: number;
  /** 0-based bar counter from the first decoded bar (pick-up beats before the first downbeat have -1). */
  barIndex: number;
  /** 0..1: the activation at the beat (downbeat activation for downbeats, beat activation otherwise). */
  confidence: number;
}

export interface BarPointerResult {
  beatsPerBar: number;
  beats: DecodedBeat[];
  /** Viterbi log-probability of the chosen meter's path (comparable between meters of one song). */
  logProb: number;
}

export const DBN_DEFAULTS = {
  minBpm: 55,
  maxBpm: 215,
  meters: [2, 3, 4, 5, 6, 7] as readonly number[],
  meterCandidates: 2,
  transitionLambda: 100,
  observationLambda: 16,
  threshold: 0.05,
};
/** Tempo transitions below exp(-TRANSITION_CUT) are dropped (|l'/l - 1| > 0.12 at lambda 100). */
const TRANSITION_CUT = 12;
const EPS = 1e-7;

interface StateSpace {
  beatsPerBar: number;
  intervals: Int32Array;
  /** First state of each tempo. */
  offset: Int32Array;
  size: number;
  /** Per state: 0 downbeat region, 1 beat region, 2 no beat. */
  cls: Uint8Array;
  /** For each destination tempo: the first source tempo of the run of sources, and their log transition probabilities. */
  preds: { lo: number; logp: Float64Array }[];
}

function tempoIntervals(fps: number, minBpm: number, maxBpm: number): Int32Array {
  const lo = Math.max(1, Math.round((60 * fps) / maxBpm));
  const hi = Math.max(lo, Math.round((60 * fps) / minBpm));
  return Int32Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

function stateSpace(beatsPerBar: number, intervals: Int32Array, transitionLambda: number, observationLambda: number): StateSpace {
  const K = intervals.length;
  const offset = new Int32Array(K);
  let size = 0;
  for (let k = 0; k < K; k++) {
    offset[k] = size;
    size += beatsPerBar * intervals[k]!;
  }
  const cls = new Uint8Array(size).fill(2);
  for (let k = 0; k < K; k++) {
    const l = intervals[k]!;
    const region = Math.max(1, Math.ceil(l / observationLambda));
    for (let j = 0; j < beatsPerBar; j++) for (let q = 0; q < region; q++) cls[offset[k]! + j * l + q] = j === 0 ? 0 : 1;
  }
  // log p(source k' -> destination k), normalised over destinations for each source, then inverted per destination.
  const rows: Float64Array[] = [];
  for (let s = 0; s < K; s++) {
    const row = new Float64Array(K);
    let sum = 0;
    for (let d = 0; d < K; d++) {
      const e = transitionLambda * Math.abs(intervals[d]! / intervals[s]! - 1);
      row[d] = e > TRANSITION_CUT ? 0 : Math.exp(-e);
      sum += row[d]!;
    }
    for (let d = 0; d < K; d++) row[d] = row[d]! > 0 ? Math.log(row[d]! / sum) : -Infinity;
    rows.push(row);
  }
  // Sources of a destination form one run of neighbouring tempi (the cut is on |l'/l - 1|).
  const preds = Array.from({ length: K }, (_, d) => {
    let lo = d;
    let hi = d;
    while (lo > 0 && rows[lo - 1]![d]! > -Infinity) lo--;
    while (hi + 1 < K && rows[hi + 1]![d]! > -Infinity) hi++;
    return { lo, logp: Float64Array.from({ length: hi - lo + 1 }, (_, i) => rows[lo + i]![d]!) };
  });
  return { beatsPerBar, intervals, offset, size, cls, preds };
}

/** Per-frame log-likelihoods of the three state classes. */
interface Observations {
  logs: [Float32Array, Float32Array, Float32Array];
}

/** How far (frames) a beat's downbeat evidence is looked for around each frame: the two activations need not
 * peak in the same frame, nor be equally wide. */
const DOWNBEAT_REACH = 2;
/** Bounds of "this beat is a downbeat": no single frame may veto a meter outright. */
const DOWNBEAT_SHARE_MIN = 0.02;

/**
 * Per-frame log-likelihoods of the three state classes, factorised as P(beat) x P(downbeat | beat): beat regions
 * are explained by the beat activation (`anyBeat`), and whether that beat is a downbeat by the local downbeat peak
 * relative to the local beat peak. (Reading the downbeat activation frame by frame instead would punish every
 * meter for each frame where the downbeat peak is narrower than the beat's, and favour meters with fewer bars.)
 * `downbeat` null = beats only (every beat start is class 0 and explained by the beat activation).
 */
function observations(anyBeat: ArrayLike<number>, downbeat: ArrayLike<number> | null, first: number, last: number, observationLambda: number, blocked?: Uint8Array): Observations {
  const n = last - first + 1;
  const logD = new Float32Array(n);
  const logB = new Float32Array(n);
  const logN = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = first + i;
    if (blocked?.[t]) continue; // silence: no evidence either way (all 0)
    const b = Math.min(1 - EPS, Math.max(EPS, anyBeat[t]!));
    logN[i] = Math.log((1 - b) / (observationLambda - 1));
    if (!downbeat) {
      logD[i] = logB[i] = Math.log(b);
      continue;
    }
    let peakD = 0;
    let peakB = EPS;
    for (let u = Math.max(0, t - DOWNBEAT_REACH); u <= Math.min(anyBeat.length - 1, t + DOWNBEAT_REACH); u++) {
      peakD = Math.max(peakD, downbeat[u]!);
      peakB = Math.max(peakB, anyBeat[u]!);
    }
    const share = Math.min(1 - DOWNBEAT_SHARE_MIN, Math.max(DOWNBEAT_SHARE_MIN, peakD / peakB));
    logD[i] = Math.log(b) + Math.log(share);
    logB[i] = Math.log(b) + Math.log(1 - share);
  }
  return { logs: [logD, logB, logN] };
}

interface Path {
  logProb: number;
  /** Beat starts, ascending: frame (relative to the decoded range) and 0-based beat index in the bar. */
  frames: number[];
  beatIndex: number[];
}

function viterbi(space: StateSpace, obs: Observations): Path {
  const { intervals, offset, size, cls, preds, beatsPerBar: B } = space;
  const K = intervals.length;
  if (K > 255) throw new Error('too many tempi for the back-pointer type');
  const [logD, logB, logN] = obs.logs;
  const T = logD.length;
  // Each tempo's states live in a ring: position p at frame t sits in slot (p - t) mod L, so the pointer's
  // advance moves nothing. Slots hold V - C(t), where C(t) sums the "no beat" log-likelihoods so far: a frame
  // then touches only the beat regions (their likelihood above "no beat") and the beat starts (tempo changes).
  const S = new Float64Array(size);
  const back = new Uint8Array(T * K * B);
  const fresh = new Float64Array(K * B);
  const origin = new Int32Array(K);
  const ends = new Float64Array(K * B);
  const ring = (k: number, p: number, t: number) => {
    const L = B * intervals[k]!;
    return offset[k]! + ((((p - t) % L) + L) % L);
  };
  const extra = (c: number, t: number) => (c === 0 ? logD[t]! - logN[t]! : c === 1 ? logB[t]! - logN[t]! : 0);
  let C = logN[0]!;
  for (let k = 0; k < K; k++) for (let p = 0; p < B * intervals[k]!; p++) S[ring(k, p, 0)] = extra(cls[offset[k]! + p]!, 0);
  for (let t = 1; t < T; t++) {
    C += logN[t]!;
    const dD = logD[t]! - logN[t]!;
    const dB = logB[t]! - logN[t]!;
    // Ring origin of every tempo at frame t-1 (slot of position 0), and the value of each tempo's last position
    // of every beat (where a beat start's predecessors sit), laid out per beat index for the loop below.
    for (let k = 0; k < K; k++) {
      const ls = intervals[k]!;
      const L = B * ls;
      let b = -(t - 1) % L;
      if (b < 0) b += L;
      origin[k] = b;
      const o = offset[k]!;
      for (let j = 0; j < B; j++) {
        let slot = b + (j > 0 ? j * ls : L) - 1;
        if (slot >= L) slot -= L;
        ends[j * K + k] = S[o + slot]!;
      }
    }
    // Beat starts first (from frame t-1's values), written after: a start's slot held its own predecessor.
    for (let k = 0; k < K; k++) {
      const { lo, logp } = preds[k]!;
      const n = logp.length;
      for (let j = 0; j < B; j++) {
        const row = j * K + lo;
        let best = -Infinity;
        let arg = 0;
        for (let i = 0; i < n; i++) {
          const v = ends[row + i]! + logp[i]!;
          if (v > best) {
            best = v;
            arg = i;
          }
        }
        fresh[k * B + j] = best;
        back[(t * K + k) * B + j] = lo + arg;
      }
    }
    for (let k = 0; k < K; k++) {
      const l = intervals[k]!;
      const L = B * l;
      const o = offset[k]!;
      let base = origin[k]! - 1;
      if (base < 0) base += L;
      for (let j = 0; j < B; j++) {
        const p0 = j * l;
        const gain = j === 0 ? dD : dB;
        let slot = base + p0;
        if (slot >= L) slot -= L;
        S[o + slot] = fresh[k * B + j]! + gain;
        for (let q = 1; q < l && cls[o + p0 + q]! !== 2; q++) {
          let sq = slot + q;
          if (sq >= L) sq -= L;
          S[o + sq] = S[o + sq]! + gain;
        }
      }
    }
  }
  let bestSlot = 0;
  for (let s = 1; s < size; s++) if (S[s]! > S[bestSlot]!) bestSlot = s;
  let k = 0;
  while (k + 1 < K && offset[k + 1]! <= bestSlot) k++;
  let t = T - 1;
  let p = (bestSlot - offset[k]! + t) % (B * intervals[k]!);
  const frames: number[] = [];
  const beatIndex: number[] = [];
  for (;;) {
    const l = intervals[k]!;
    const j = Math.floor(p / l);
    const start = t - (p - j * l);
    if (start < 0) break;
    frames.push(start);
    beatIndex.push(j);
    if (start === 0) break;
    const ks = back[(start * K + k) * B + j]!;
    p = (j > 0 ? j * intervals[ks]! : B * intervals[ks]!) - 1;
    k = ks;
    t = start - 1;
  }
  frames.reverse();
  beatIndex.reverse();
  return { logProb: S[bestSlot]! + C, frames, beatIndex };
}

/** The intervals between the 5th and 95th percentile of the beat path's intervals, widened by 15 % each way. */
export function tempiInUse(beatFrames: number[], intervals: Int32Array): Int32Array {
  const iois = beatFrames.slice(1).map((f, i) => f - beatFrames[i]!).sort((a, b) => a - b);
  if (iois.length < 4) return intervals;
  const lo = Math.floor(iois[Math.floor(0.05 * (iois.length - 1))]! / 1.15) - 1;
  const hi = Math.ceil(iois[Math.ceil(0.95 * (iois.length - 1))]! * 1.15) + 1;
  const kept = intervals.filter((l) => l >= lo && l <= hi);
  return kept.length ? kept : intervals;
}

/** Rank meters by how strongly the downbeat activation prefers one beat phase over the others. */
export function rankMeters(beatFrames: number[], downbeat: ArrayLike<number>, meters: readonly number[]): number[] {
  const strength = beatFrames.map((f) => Math.max(downbeat[f - 1] ?? 0, downbeat[f] ?? 0, downbeat[f + 1] ?? 0));
  const total = strength.reduce((a, b) => a + b, 0);
  const scored = meters.map((m) => {
    let best = -Infinity;
    for (let phase = 0; phase < m; phase++) {
      let on = 0;
      let count = 0;
      for (let i = phase; i < strength.length; i += m) (on += strength[i]!, count++);
      const off = strength.length - count;
      if (count === 0 || off === 0) continue;
      best = Math.max(best, on / count - (total - on) / off);
    }
    return { m, score: best };
  });
  return scored.sort((a, b) => b.score - a.score).map((s) => s.m);
}

/** Activation peak near a decoded beat start: frame, parabolic sub-frame position and height. */
function refine(act: ArrayLike<number>, start: number, regionEnd: number, n: number): { frame: number; position: number; value: number } {
  let frame = start;
  for (let t = Math.max(0, start - 1); t <= Math.min(n - 1, regionEnd); t++) if (act[t]! > act[frame]!) frame = t;
  const a = act[frame - 1];
  const b = act[frame]!;
  const c = act[frame + 1];
  let position = frame;
  if (a !== undefined && c !== undefined) {
    const denom = a - 2 * b + c;
    if (denom < 0) position = frame + Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom));
  }
  return { frame, position, value: b };
}

/**
 * Decodes beats, downbeats and the meter. `beat` is the probability of any beat (downbeats included) per frame,
 * `downbeat` that of a downbeat; both at `options.fps`.
 */
export function decodeBarPointer(beat: ArrayLike<number>, downbeat: ArrayLike<number>, options: BarPointerOptions): BarPointerResult {
  const o = { ...DBN_DEFAULTS, ...options };
  const n = Math.min(beat.length, downbeat.length);
  // A downbeat is a beat: the beat evidence is the larger of the two activations.
  const anyBeat = new Float32Array(n);
  for (let t = 0; t < n; t++) anyBeat[t] = Math.max(beat[t]!, downbeat[t]!);
  let first = 0;
  let last = n - 1;
  while (first < n && (anyBeat[first]! < o.threshold || o.blocked?.[first])) first++;
  while (last > first && (anyBeat[last]! < o.threshold || o.blocked?.[last])) last--;
  const empty: BarPointerResult = { beatsPerBar: 0, beats: [], logProb: -Infinity };
  if (first >= last) return empty;
  const intervals = tempoIntervals(o.fps, o.minBpm, o.maxBpm);
  if (last - first + 1 < 2 * intervals[0]!) return empty;

  // 1. Beats alone (one beat per bar: every beat start explained by "any beat").
  const beatObs = observations(anyBeat, null, first, last, o.observationLambda, o.blocked);
  const beatPath = viterbi(stateSpace(1, intervals, o.transitionLambda, o.observationLambda), beatObs);
  const meters = o.meters.filter((m) => Number.isInteger(m) && m >= 1 && m <= 12);
  const ranked = rankMeters(beatPath.frames.map((f) => f + first), downbeat, meters).slice(0, Math.max(1, o.meterCandidates));

  // 2. The full bar pointer for the best-ranked meters, over the tempi the beats actually use (+-15 %): a steady
  // song needs a handful of tempi instead of all 36, a song with tempo changes gets the range it spans.
  const obs = observations(anyBeat, downbeat, first, last, o.observationLambda, o.blocked);
  const used = tempiInUse(beatPath.frames, intervals);
  let best: { meter: number; path: Path } | null = null;
  for (const meter of ranked) {
    const path = viterbi(stateSpace(meter, used, o.transitionLambda, o.observationLambda), obs);
    if (!best || path.logProb > best.path.logProb) best = { meter, path };
  }
  if (!best) return empty;

  const beats: DecodedBeat[] = [];
  let barIndex = -1;
  const { path, meter } = best;
  for (let i = 0; i < path.frames.length; i++) {
    const start = path.frames[i]! + first;
    const j = path.beatIndex[i]!;
    if (j === 0) barIndex++;
    const next = i + 1 < path.frames.length ? path.frames[i + 1]! + first : last + 1;
    const region = Math.max(1, Math.ceil((next - start) / o.observationLambda));
    const peak = refine(anyBeat, start, Math.min(next - 1, start + region), n);
    if (o.blocked?.[peak.frame]) continue;
    const confidence = j === 0 ? Math.max(downbeat[peak.frame]!, 0) : Math.max(beat[peak.frame]!, 0);
    beats.push({ frame: peak.frame, position: peak.position, beatInBar: j + 1, barIndex, confidence: Math.min(1, confidence) });
  }
  return { beatsPerBar: meter, beats, logProb: path.logProb };
}
