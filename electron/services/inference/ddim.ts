/**
 * DDIM scheduler (eta 0, epsilon prediction, "leading" timestep spacing), the same shape as diffusers'
 * DDIMScheduler and `native-models/musedance_models/schedulers/ddim.py` so the two can be read side by side:
 * `setTimesteps(n)` then `step(eps, t, sample)` for each t. Betas are computed in float64 and rounded to
 * float32, alphas_cumprod is a float32 running product (what torch.cumprod on float32 gives).
 */
export interface DdimConfig {
  numTrainTimesteps: number;
  betaSchedule: 'scaled_linear' | 'linear';
  betaStart: number;
  betaEnd: number;
  predictionType: 'epsilon';
  timestepSpacing: 'leading';
  stepsOffset: number;
  setAlphaToOne: boolean;
}

export class DdimScheduler {
  readonly alphasCumprod: Float32Array;
  readonly finalAlphaCumprod: number;
  timesteps: number[] = [];
  private stepRatio = 1;
  /** DDIM's initial noise scale (1 for DDIM; kept for symmetry with other schedulers). */
  readonly initNoiseSigma = 1;

  constructor(private readonly config: DdimConfig) {
    const n = config.numTrainTimesteps;
    const betas = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const f = n === 1 ? 0 : i / (n - 1);
      betas[i] =
        config.betaSchedule === 'scaled_linear'
          ? (Math.sqrt(config.betaStart) + f * (Math.sqrt(config.betaEnd) - Math.sqrt(config.betaStart))) ** 2
          : config.betaStart + f * (config.betaEnd - config.betaStart);
    }
    this.alphasCumprod = new Float32Array(n);
    let product = 1;
    for (let i = 0; i < n; i++) {
      product = Math.fround(product * Math.fround(1 - betas[i]!));
      this.alphasCumprod[i] = product;
    }
    this.finalAlphaCumprod = config.setAlphaToOne ? 1 : this.alphasCumprod[0]!;
  }

  setTimesteps(numSteps: number): number[] {
    const n = this.config.numTrainTimesteps;
    if (!Number.isInteger(numSteps) || numSteps < 1 || numSteps > n) throw new RangeError(`steps must be an integer in 1..${n}`);
    this.stepRatio = Math.floor(n / numSteps);
    this.timesteps = Array.from({ length: numSteps }, (_, i) => (numSteps - 1 - i) * this.stepRatio + this.config.stepsOffset);
    return this.timesteps;
  }

  /** One DDIM update (eta 0). Returns the previous sample and the current x0 estimate (for previews). */
  step(eps: Float32Array, t: number, sample: Float32Array): { prevSample: Float32Array; predOriginal: Float32Array } {
    if (eps.length !== sample.length) throw new RangeError('eps and sample differ in size');
    const prevT = t - this.stepRatio;
    const aT = this.alphasCumprod[t]!;
    const aPrev = prevT >= 0 ? this.alphasCumprod[prevT]! : this.finalAlphaCumprod;
    const sqrtAT = Math.sqrt(aT);
    const sqrtOneMinusAT = Math.sqrt(1 - aT);
    const sqrtAPrev = Math.sqrt(aPrev);
    const sqrtOneMinusAPrev = Math.sqrt(1 - aPrev);
    const prevSample = new Float32Array(sample.length);
    const predOriginal = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const x0 = (sample[i]! - sqrtOneMinusAT * eps[i]!) / sqrtAT;
      predOriginal[i] = x0;
      prevSample[i] = sqrtAPrev * x0 + sqrtOneMinusAPrev * eps[i]!;
    }
    return { prevSample, predOriginal };
  }
}

/** Classifier-free guidance on a batch-of-2 prediction: row 0 conditional, row 1 unconditional. */
export function applyGuidance(noisePred: Float32Array, guidanceScale: number): Float32Array {
  const half = noisePred.length / 2;
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const uncond = noisePred[half + i]!;
    out[i] = uncond + guidanceScale * (noisePred[i]! - uncond);
  }
  return out;
}
