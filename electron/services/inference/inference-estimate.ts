/**
 * What running a pack costs, before any session exists: memory (the six sessions' weights + the UNet's peak
 * working set) and time (UNet FLOPs per CFG step / a throughput). The one home of this model: the engine's
 * free-memory check, `pack build`'s estimate and the benchmarks all call it.
 *
 * Why analytic: ONNX graphs exported from PyTorch compute attention as MatMul -> Softmax -> MatMul, so ONNX
 * Runtime materialises every score matrix [batch, heads, queries, keys] (no fused kernel); those matrices, not
 * the weights, decide whether sd15 fits at 640x640, K=48. The model follows native-models' UNet
 * (`models/unet.py`): per item M+K frames through the spatial layers, W-concat reference attention (keys = 2x
 * the frame's tokens), text cross-attention, GEGLU feed-forward (8x width), and at every attention level and
 * the mid block the stage-2 modules (music: K*h*w queries x music tokens in ONE call; beat; temporal/motion
 * attention along frames). Feature maps kept for skip connections are added; ONNX Runtime frees the rest.
 */
import type { Manifest } from './manifest';

const F32 = 4;
const F16 = 2;
const GIB = 1024 ** 3;

/** Assumed sustained throughput of one UNet run when nothing was measured on this machine (FLOP/s). */
export const ASSUMED_FLOPS = { cpu: 60e9, cuda: 20e12 } as const;
/** Allocator, thread pools, CUDA context and the sessions' own buffers on top of what the model counts. */
export const RUNTIME_OVERHEAD_BYTES = { cpu: 0.5 * GIB, cuda: 1.0 * GIB } as const;
/** A run must leave this much of the machine's memory free (desktop, browser, the OS's file cache). */
export const MEMORY_HEADROOM_BYTES = 1 * GIB;

export interface RunShape {
  height: number;
  width: number;
  frames: number;
  motionFrames: number;
}

export interface UnetArch {
  blockOut: number[];
  attentionLevels: boolean[];
  layersPerBlock: number;
  heads: number;
  stage2Heads: number;
  stage2: boolean;
  vaeDownsample: number;
  latentChannels: number;
  textDim: number;
  audioDim: number;
  musicTokens: number;
}

export interface MemoryPart {
  what: string;
  bytes: number;
}

export interface InferenceEstimate {
  shape: RunShape;
  provider: 'cpu' | 'cuda';
  precision: 'fp32' | 'fp16';
  /** Weights of the six sessions (graph files + external data on disk). */
  weightsBytes: number;
  /** Peak working set of one UNet run (largest attention scores + live feature maps). */
  activationBytes: number;
  /** weights + activations + runtime overhead: what must be free before the sessions are created. */
  peakBytes: number;
  /** Where the memory goes, largest first. */
  parts: MemoryPart[];
  /** One UNet run (CFG batch of 2). */
  unetFlops: number;
  flopsPerSecond: number;
  throughput: 'measured' | 'assumed';
  secondsPerStep: number;
  steps: number;
  /** steps x UNet + VAE decode of K frames (~5% of a step each, as the engine measures). */
  secondsPerSegment: number;
  summary: string;
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const nums = (v: unknown, fallback: number[]): number[] => (Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : fallback);

/** The UNet architecture from a manifest's config (arch.unet holds the PyTorch config; SD1.5 defaults fill gaps). */
export function archOf(m: Pick<Manifest, 'config'>): UnetArch {
  const c = m.config;
  const u = ((c.arch as Record<string, unknown>).unet ?? {}) as Record<string, unknown>;
  const blockOut = nums(u.block_out_channels, [320, 640, 1280, 1280]);
  const levels = Array.isArray(u.attention_levels) ? (u.attention_levels as boolean[]) : blockOut.map((_, i) => i < blockOut.length - 1);
  return {
    blockOut,
    attentionLevels: levels,
    layersPerBlock: num(u.layers_per_block, 2),
    heads: num(u.attention_head_dim, 8),
    stage2Heads: num(u.stage2_heads, 8),
    stage2: u.use_music !== false || u.use_beat !== false || u.use_motion !== false,
    vaeDownsample: c.vaeDownsample,
    latentChannels: c.latentChannels,
    textDim: c.textDim,
    audioDim: c.audioDim,
    musicTokens: c.musicTokens,
  };
}

/**
 * The same architecture from a native-models config dict (`MuseDanceConfig.to_dict()`, what `pack_build
 * --estimate-only` reports before a manifest exists).
 */
export function archFromConfig(cfg: Record<string, unknown>): UnetArch {
  const sub = (k: string) => ((cfg[k] ?? {}) as Record<string, unknown>);
  const vae = sub('vae');
  const audio = sub('audio');
  const vaeLevels = nums(vae.block_out_channels, [128, 256, 512, 512]).length;
  const mel = num(audio.num_mel_bins, 128);
  const patch = num(audio.patch_size, 16);
  const stride = num(audio.patch_stride, 10);
  const frames = num(audio.fbank_frames, 1024);
  const musicTokens = 2 + (Math.floor((mel - patch) / stride) + 1) * (Math.floor((frames - patch) / stride) + 1);
  return archOf({
    config: {
      arch: cfg,
      vaeDownsample: 2 ** (vaeLevels - 1),
      latentChannels: num(vae.latent_channels, 4),
      textDim: num(sub('text').hidden_size, 768),
      audioDim: num(audio.hidden_size, 768),
      musicTokens,
    } as unknown as Manifest['config'],
  });
}

interface UnetCost {
  flops: number;
  largestScores: MemoryPart;
  largestFeedForward: MemoryPart;
  skipBytes: number;
}

/** FLOPs and the big tensors of one UNet run at `shape` (batch 2 for CFG), counting elements, not bytes. */
function unetCost(a: UnetArch, shape: RunShape, bytesPerValue: number): UnetCost {
  const B = 2;
  const K = shape.frames;
  const T = K + shape.motionFrames; // frames per item through the spatial layers
  const h0 = shape.height / a.vaeDownsample;
  const w0 = shape.width / a.vaeDownsample;
  let flops = 0;
  let largestScores: MemoryPart = { what: 'attention scores', bytes: 0 };
  let largestFeedForward: MemoryPart = { what: 'feed-forward', bytes: 0 };
  let skipBytes = 0;
  const scores = (what: string, elems: number) => {
    const bytes = elems * bytesPerValue;
    if (bytes > largestScores.bytes) largestScores = { what, bytes };
  };
  const resnet = (rows: number, ci: number, co: number) => 2 * rows * 9 * (ci * co + co * co) + (ci !== co ? 2 * rows * ci * co : 0);
  const spatial = (level: number, n: number, c: number) => {
    const rows = B * T * n;
    // proj in/out, q k v o (self), q o (cross), GEGLU c->8c and 4c->c
    let f = 2 * rows * c * c * (2 + 4 + 2 + 12);
    f += 2 * 2 * rows * (2 * n) * c; // self-attention over the frame + the reference half
    f += 2 * 2 * rows * 77 * c + 2 * 2 * B * 77 * a.textDim * c;
    scores(`spatial self-attention scores at latent level ${level} (${B * T} frames x ${a.heads} heads x ${n} x ${2 * n})`, B * T * a.heads * n * 2 * n);
    const ff = rows * 8 * c * bytesPerValue;
    if (ff > largestFeedForward.bytes) largestFeedForward = { what: `GEGLU feed-forward at latent level ${level} (${B * T * n} tokens x ${8 * c})`, bytes: ff };
    return f;
  };
  const stage2 = (level: number, n: number, c: number) => {
    if (!a.stage2) return 0;
    const rows = B * K * n;
    const tm = a.musicTokens;
    let f = 2 * rows * c * c * (2 + 2 + 4 + 4 + 4) + 2 * 2 * B * tm * a.audioDim * c;
    f += 2 * 2 * rows * tm * c; // music cross-attention: K*n queries x music tokens
    f += 2 * 2 * rows * K * c; // beat cross-attention
    f += 3 * 2 * 2 * B * n * T * T * c; // temporal attention in music, beat and motion modules
    scores(`music cross-attention scores at latent level ${level} (${B} x ${a.stage2Heads} heads x ${K * n} x ${tm})`, B * a.stage2Heads * K * n * tm);
    return f;
  };
  const levels = a.blockOut.length;
  let n = h0 * w0;
  let cin = a.blockOut[0]!;
  flops += 2 * B * T * n * 9 * a.latentChannels * cin;
  skipBytes += B * T * n * cin * bytesPerValue;
  const skips: Array<{ n: number; c: number }> = [{ n, c: cin }];
  for (let l = 0; l < levels; l++) {
    const c = a.blockOut[l]!;
    for (let j = 0; j < a.layersPerBlock; j++) {
      flops += resnet(B * T * n, j === 0 ? cin : c, c);
      if (a.attentionLevels[l]) flops += spatial(l, n, c) + stage2(l, n, c);
      skips.push({ n, c });
    }
    cin = c;
    if (l < levels - 1) {
      n = n / 4;
      flops += 2 * B * T * n * 9 * c * c;
      skips.push({ n, c });
    }
  }
  const cm = a.blockOut[levels - 1]!;
  flops += 2 * resnet(B * T * n, cm, cm) + spatial(levels - 1, n, cm) + stage2(levels - 1, n, cm);
  for (const s of skips) skipBytes += B * T * s.n * s.c * bytesPerValue;
  for (let l = levels - 1; l >= 0; l--) {
    const c = a.blockOut[l]!;
    for (let j = 0; j <= a.layersPerBlock; j++) {
      const skip = skips.pop();
      flops += resnet(B * T * n, cin + (skip?.c ?? 0), c);
      if (a.attentionLevels[l]) flops += spatial(l, n, c) + stage2(l, n, c);
      cin = c;
    }
    if (l > 0) {
      n = n * 4;
      flops += 2 * B * T * n * 9 * c * c;
    }
  }
  return { flops, largestScores, largestFeedForward, skipBytes };
}

const gib = (b: number) => `${(b / GIB).toFixed(b < 10 * GIB ? 2 : 1)} GiB`;
const secs = (s: number) => (s < 90 ? `${s.toFixed(s < 10 ? 1 : 0)} s` : s < 5400 ? `${(s / 60).toFixed(0)} min` : `${(s / 3600).toFixed(1)} h`);

/** Bytes of the six graphs on disk (graph protobuf + external data), from the manifest's files list. */
export function graphBytesOf(m: Pick<Manifest, 'graphs' | 'files'>): number {
  let total = 0;
  for (const g of Object.values(m.graphs)) {
    total += m.files[g.file]?.bytes ?? 0;
    if (g.externalData) total += m.files[g.externalData]?.bytes ?? 0;
  }
  return total;
}

export interface EstimateOptions {
  provider: 'cpu' | 'cuda';
  steps: number;
  /** Size to run at; the pack's own when omitted (a pack's graphs have static shapes). */
  shape?: RunShape;
  /** Weights bytes (the pack's graphs); scaled for shape-independent weights it stays the same. */
  weightsBytes: number;
  /** A measured (seconds per UNet run, at `measuredShape`) to calibrate the throughput. */
  measured?: { secondsPerStep: number; shape: RunShape };
}

/** The estimate for an architecture at a shape. */
export function estimateInference(arch: UnetArch, precision: 'fp32' | 'fp16', shape: RunShape, options: Omit<EstimateOptions, 'shape'>): InferenceEstimate {
  const bytesPerValue = precision === 'fp16' ? F16 : F32;
  const cost = unetCost(arch, shape, bytesPerValue);
  // Softmax writes a second matrix of the same size while the scores are alive; the bias add of windowed
  // attention a third at worst: count two.
  const attention = { what: cost.largestScores.what + ', scores + softmax', bytes: 2 * cost.largestScores.bytes };
  const ff = { what: cost.largestFeedForward.what + ', input + GEGLU halves', bytes: 2 * cost.largestFeedForward.bytes };
  const working = attention.bytes > ff.bytes ? attention : ff;
  const skips = { what: 'UNet feature maps kept for skip connections', bytes: cost.skipBytes };
  const activationBytes = working.bytes + skips.bytes;
  const overhead = RUNTIME_OVERHEAD_BYTES[options.provider];
  const parts: MemoryPart[] = [working, { what: 'weights of the six graphs', bytes: options.weightsBytes }, skips, { what: `ONNX Runtime (${options.provider}) overhead`, bytes: overhead }].sort((x, y) => y.bytes - x.bytes);

  const measured = options.measured && options.measured.secondsPerStep > 0 ? { flops: unetCost(arch, options.measured.shape, bytesPerValue).flops, seconds: options.measured.secondsPerStep } : undefined;
  return describe({ shape, provider: options.provider, precision, weightsBytes: options.weightsBytes, activationBytes, parts, unetFlops: cost.flops, steps: options.steps, measured, largest: working });
}

/** Seconds per UNet step and per segment from FLOPs: measured throughput when given, else ASSUMED_FLOPS. */
export function timeFromFlops(unetFlops: number, provider: 'cpu' | 'cuda', precision: 'fp32' | 'fp16', steps: number, frames: number, measured?: { flops: number; seconds: number }) {
  let flopsPerSecond: number = ASSUMED_FLOPS[provider] * (precision === 'fp16' && provider === 'cuda' ? 2 : 1);
  let throughput: InferenceEstimate['throughput'] = 'assumed';
  if (measured && measured.seconds > 0) {
    flopsPerSecond = measured.flops / measured.seconds;
    throughput = 'measured';
  }
  const secondsPerStep = unetFlops / flopsPerSecond;
  // VAE decode of K frames: ~5% of a step each (what the engine measures on the tiny pack)
  const secondsPerSegment = secondsPerStep * steps + frames * secondsPerStep * 0.05;
  return { flopsPerSecond, throughput, secondsPerStep, secondsPerSegment };
}

interface Described {
  shape: RunShape;
  provider: 'cpu' | 'cuda';
  precision: 'fp32' | 'fp16';
  weightsBytes: number;
  activationBytes: number;
  parts: MemoryPart[];
  unetFlops: number;
  steps: number;
  measured?: { flops: number; seconds: number };
  largest: MemoryPart;
}

/** Peak bytes, time and the one-line summary from the memory parts and FLOPs. */
function describe(d: Described): InferenceEstimate {
  const { shape, provider, weightsBytes, activationBytes, largest } = d;
  const peakBytes = weightsBytes + activationBytes + RUNTIME_OVERHEAD_BYTES[provider];
  const t = timeFromFlops(d.unetFlops, provider, d.precision, d.steps, shape.frames, d.measured);
  const where = provider === 'cuda' ? 'on the GPU' : 'of RAM';
  const summary =
    `${shape.width}x${shape.height}, K=${shape.frames}: needs ~${gib(peakBytes)} ${where} (weights ${gib(weightsBytes)}, ` +
    `activations ${gib(activationBytes)}, largest: ${largest.what.split(' (')[0]} ${gib(largest.bytes)}); ` +
    `~${secs(t.secondsPerStep)} per step, ~${secs(t.secondsPerSegment)} per segment at ${d.steps} steps on ${provider.toUpperCase()} (${t.throughput} throughput ${(t.flopsPerSecond / 1e9).toFixed(0)} GFLOP/s)`;
  return { shape, provider, precision: d.precision, weightsBytes, activationBytes, peakBytes, parts: d.parts, unetFlops: d.unetFlops, steps: d.steps, summary, ...t };
}

/** The estimate for a pack (at its own shape unless `shape` is given). */
export function estimatePack(m: Manifest, options: Omit<EstimateOptions, 'weightsBytes'> & { weightsBytes?: number }): InferenceEstimate {
  const c = m.config;
  const own = { height: c.height, width: c.width, frames: c.framesPerSegment, motionFrames: c.motionFrames };
  const shape = options.shape ?? own;
  const weightsBytes = options.weightsBytes ?? graphBytesOf(m);
  const traced = m.memory;
  const sameShape = shape.height === own.height && shape.width === own.width && shape.frames === own.frames && shape.motionFrames === own.motionFrames;
  if (sameShape && traced?.activationBytes !== undefined && traced.unetFlops !== undefined) {
    // The exporter traced this very network at this shape (native-models scale/inference_estimate.py): use it.
    const act = { what: `one UNet run (the exporter's trace: ${traced.method?.slice(0, 120) ?? 'meta-device'})`, bytes: traced.activationBytes };
    const parts = [act, { what: 'weights of the six graphs', bytes: weightsBytes }, { what: `ONNX Runtime (${options.provider}) overhead`, bytes: RUNTIME_OVERHEAD_BYTES[options.provider] }].sort((x, y) => y.bytes - x.bytes);
    const measured = options.measured ? { flops: traced.unetFlops, seconds: options.measured.secondsPerStep } : undefined;
    return describe({ shape, provider: options.provider, precision: m.precision, weightsBytes, activationBytes: traced.activationBytes, parts, unetFlops: traced.unetFlops, steps: options.steps, measured, largest: act });
  }
  return estimateInference(archOf(m), m.precision, shape, { ...options, weightsBytes });
}

export const formatGiB = gib;
