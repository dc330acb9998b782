/**
 * Sampling one segment (PACK.md "Sampling one segment"): CFG batch of 2 through the UNet at every DDIM timestep,
 * then the VAE decoder frame by frame. Cancellation is checked before every graph run, so an abort stops the job
 * after at most the one run in flight (one denoising step).
 */
import { ErrorCodes, StudioError } from '../../shared/result';
import { applyGuidance } from './ddim';
import type { PackRuntime } from './pack-runtime';

/** Everything that depends only on the reference image + prompt: computed once per take, shared by segments. */
export interface TakeConditioning {
  textCond: Float32Array;
  textUncond: Float32Array;
  refLatents: Float32Array;
  refFeats: Record<string, Float32Array>;
}

export interface StepInfo {
  step: number;
  totalSteps: number;
  timestep: number;
  /** Current estimate of the clean latents (x0), K frames. */
  predOriginal: Float32Array;
  unetMs: number;
}

export interface SegmentSampling {
  cond: TakeConditioning;
  /** Audio encoder output for this segment [1, musicTokens, audioDim]. */
  music: Float32Array;
  /** Beat one-hot over the K frames. */
  beat: Float32Array;
  /** Scaled latents of the previous segment's last M generated frames; null for the first segment of a song. */
  motion: Float32Array | null;
  /** Standard normal noise [K, C, h, w] (seeded by the caller). */
  noise: Float32Array;
  steps: number;
  guidance: number;
  signal?: AbortSignal;
  onStep?(info: StepInfo): void | Promise<void>;
}

export const throwIfCancelled = (signal?: AbortSignal) => {
  if (signal?.aborted) throw new StudioError(ErrorCodes.cancelled, 'Cancelled.');
};

const twice = (a: Float32Array) => {
  const out = new Float32Array(a.length * 2);
  out.set(a);
  out.set(a, a.length);
  return out;
};
const withZeros = (a: Float32Array) => {
  const out = new Float32Array(a.length * 2);
  out.set(a);
  return out;
};
const concat = (a: Float32Array, b: Float32Array) => {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/** Motion input [M, C, h, w]: the previous M latents, or the reference latent repeated M times (first segment). */
export function motionLatents(runtime: PackRuntime, cond: TakeConditioning, previous: Float32Array | null): Float32Array {
  const { M, latentFrame } = runtime.shapes;
  if (previous) {
    if (previous.length !== M * latentFrame) throw new StudioError('INFERENCE_BAD_INPUT', `motion latents must hold ${M} frames.`);
    return previous;
  }
  const out = new Float32Array(M * latentFrame);
  for (let m = 0; m < M; m++) out.set(cond.refLatents.subarray(0, latentFrame), m * latentFrame);
  return out;
}

export async function prepareConditioning(runtime: PackRuntime, referenceImage: Float32Array, prompt: string, signal?: AbortSignal): Promise<TakeConditioning> {
  throwIfCancelled(signal);
  const textCond = await runtime.textEmbeds(prompt);
  throwIfCancelled(signal);
  const textUncond = await runtime.textEmbeds('');
  throwIfCancelled(signal);
  const refLatents = await runtime.encodeImage(referenceImage);
  throwIfCancelled(signal);
  const refFeats = await runtime.referenceFeatures(refLatents, textCond);
  return { textCond, textUncond, refLatents, refFeats };
}

/** Runs the DDIM loop; returns the final latents [K, C, h, w]. */
export async function sampleLatents(runtime: PackRuntime, job: SegmentSampling): Promise<Float32Array> {
  const { K, latentFrame } = runtime.shapes;
  if (job.noise.length !== K * latentFrame) throw new StudioError('INFERENCE_BAD_INPUT', `noise must hold ${K} latent frames.`);
  const scheduler = runtime.scheduler;
  const timesteps = scheduler.setTimesteps(job.steps);
  const text2 = concat(job.cond.textCond, job.cond.textUncond);
  const music2 = withZeros(job.music);
  const beat2 = withZeros(job.beat);
  const motion2 = twice(motionLatents(runtime, job.cond, job.motion));
  let latents: Float32Array = Float32Array.from(job.noise, (v) => v * scheduler.initNoiseSigma);
  for (const [i, t] of timesteps.entries()) {
    throwIfCancelled(job.signal);
    const started = performance.now();
    const noisePred = await runtime.unet({ latents2: twice(latents), timestep: t, text2, music2, beat2, motion2, refFeats: job.cond.refFeats });
    const eps = applyGuidance(noisePred, job.guidance);
    const { prevSample, predOriginal } = scheduler.step(eps, t, latents);
    latents = prevSample;
    await job.onStep?.({ step: i + 1, totalSteps: timesteps.length, timestep: t, predOriginal, unetMs: performance.now() - started });
  }
  return latents;
}

/** VAE-decodes K latent frames to [-1, 1] CHW images. */
export async function decodeFrames(runtime: PackRuntime, latents: Float32Array, signal?: AbortSignal, onFrame?: (k: number) => void): Promise<Float32Array[]> {
  const { K, latentFrame } = runtime.shapes;
  const frames: Float32Array[] = [];
  for (let k = 0; k < K; k++) {
    throwIfCancelled(signal);
    // PACK.md: decoded frames are clamped to [-1, 1] (the golden `sampling.frames` are too).
    const image = await runtime.decodeLatent(latents.slice(k * latentFrame, (k + 1) * latentFrame));
    for (let i = 0; i < image.length; i++) image[i] = Math.min(1, Math.max(-1, image[i]!));
    frames.push(image);
    onFrame?.(k);
  }
  return frames;
}
