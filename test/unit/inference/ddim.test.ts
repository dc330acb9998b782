import { describe, expect, it } from 'vitest';
import { applyGuidance, DdimScheduler } from '../../../electron/services/inference/ddim';

const SD15 = { numTrainTimesteps: 1000, betaSchedule: 'scaled_linear', betaStart: 0.00085, betaEnd: 0.012, predictionType: 'epsilon', timestepSpacing: 'leading', stepsOffset: 1, setAlphaToOne: false } as const;

describe('DDIM scheduler (diffusers DDIMScheduler semantics)', () => {
  it('uses "leading" spacing with steps_offset 1', () => {
    const s = new DdimScheduler(SD15);
    expect(s.setTimesteps(4)).toEqual([751, 501, 251, 1]);
    const t20 = s.setTimesteps(20);
    expect(t20[0]).toBe(951);
    expect(t20[19]).toBe(1);
    expect(t20.length).toBe(20);
    expect(() => s.setTimesteps(0)).toThrow(RangeError);
    expect(() => s.setTimesteps(1001)).toThrow(RangeError);
  });

  it('has the scaled_linear alphas_cumprod of SD1.5', () => {
    const s = new DdimScheduler(SD15);
    // diffusers: alphas_cumprod[0] = 1 - 0.00085, alphas_cumprod[999] ≈ 0.0047.
    expect(s.alphasCumprod[0]).toBeCloseTo(0.99915, 6);
    expect(s.alphasCumprod[999]).toBeCloseTo(0.0046, 3);
    for (let i = 1; i < 1000; i++) expect(s.alphasCumprod[i]!).toBeLessThan(s.alphasCumprod[i - 1]!);
  });

  it('recovers the clean sample exactly when eps is the true noise (eta 0 is deterministic)', () => {
    const s = new DdimScheduler(SD15);
    s.setTimesteps(10);
    const x0 = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
    const eps = Float32Array.from({ length: 64 }, (_, i) => Math.cos(3 * i));
    const t = s.timesteps[0]!;
    const a = s.alphasCumprod[t]!;
    const xt = x0.map((v, i) => Math.sqrt(a) * v + Math.sqrt(1 - a) * eps[i]!);
    const { predOriginal, prevSample } = s.step(eps, t, xt);
    for (let i = 0; i < 64; i++) expect(predOriginal[i]).toBeCloseTo(x0[i]!, 4);
    const aPrev = s.alphasCumprod[t - 100]!;
    for (let i = 0; i < 64; i++) expect(prevSample[i]).toBeCloseTo(Math.sqrt(aPrev) * x0[i]! + Math.sqrt(1 - aPrev) * eps[i]!, 4);
  });

  it('classifier-free guidance: uncond + scale * (cond - uncond), row 0 conditional', () => {
    const pred = Float32Array.of(1, 2, /* uncond */ 0.5, 1);
    expect(Array.from(applyGuidance(pred, 3))).toEqual([0.5 + 3 * 0.5, 1 + 3 * 1]);
    expect(Array.from(applyGuidance(pred, 1))).toEqual([1, 2]);
    expect(Array.from(applyGuidance(pred, 0))).toEqual([0.5, 1]);
  });
});
