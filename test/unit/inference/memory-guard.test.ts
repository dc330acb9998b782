/**
 * The engine's cost model and free-memory check on real manifests (the bundled tiny pack, and the same manifest
 * turned into SD1.5 widths): a pack that does not fit is refused before any session with GiB and s/segment,
 * one that fits passes, the exporter's traced figures win at the pack's own shape, and attention scores dominate
 * sd15 at 640x640 K=48 (where the memory goes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Manifest } from '../../../electron/services/inference/manifest';
import { archFromConfig, estimateInference, estimatePack, timeFromFlops } from '../../../electron/services/inference/inference-estimate';
import { checkFits, freeMemory } from '../../../electron/services/inference/memory-guard';
import { StudioError } from '../../../electron/shared/result';

const GIB = 1024 ** 3;
const tiny = Manifest.parse(JSON.parse(fs.readFileSync(path.resolve('assets/models/musedance-tiny/manifest.json'), 'utf8')));

const refusal = (fn: () => unknown): StudioError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof StudioError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
};

describe('memory guard', () => {
  it('passes the tiny pack with plenty of memory and refuses it with almost none, naming GiB and seconds per segment', () => {
    const est = checkFits(tiny, 'cpu', { hostBytes: 16 * GIB, gpuBytes: null });
    expect(est.peakBytes).toBeGreaterThan(est.weightsBytes);
    const e = refusal(() => checkFits(tiny, 'cpu', { hostBytes: 0.2 * GIB, gpuBytes: null }));
    expect(e.code).toBe('INFERENCE_NOT_ENOUGH_MEMORY');
    expect(e.message).toMatch(/needs ~[\d.]+ GiB/);
    expect(e.message).toMatch(/per segment/);
  });

  it('on CUDA checks the GPU\'s free memory (when known) and the RAM the weights pass through', () => {
    expect(() => checkFits(tiny, 'cuda', { hostBytes: 16 * GIB, gpuBytes: 80 * GIB })).not.toThrow();
    expect(refusal(() => checkFits(tiny, 'cuda', { hostBytes: 16 * GIB, gpuBytes: 0.1 * GIB })).message).toMatch(/GPU/);
    expect(() => checkFits(tiny, 'cuda', { hostBytes: 16 * GIB, gpuBytes: null })).not.toThrow();
  });

  it('MUSEDANCE_FREE_MEMORY_BYTES overrides what the OS reports', async () => {
    expect((await freeMemory('cpu', { MUSEDANCE_FREE_MEMORY_BYTES: '12345' })).hostBytes).toBe(12345);
    expect((await freeMemory('cpu', {})).hostBytes).toBeGreaterThan(0);
  });

  it('uses the exporter\'s traced activations and FLOPs at the pack\'s own shape', () => {
    const traced = { ...tiny, memory: { height: 64, width: 64, frames: 48, activationBytes: 3 * GIB, unetFlops: 6e12, peakBytes: 4 * GIB, method: 'meta trace' } };
    const e = estimatePack(traced, { provider: 'cpu', steps: 20 });
    expect(e.activationBytes).toBe(3 * GIB);
    expect(e.unetFlops).toBe(6e12);
    // another shape: the analytic model (no trace there)
    const other = estimatePack(traced, { provider: 'cpu', steps: 20, shape: { height: 128, width: 128, frames: 48, motionFrames: 2 } });
    expect(other.activationBytes).not.toBe(3 * GIB);
  });
});

describe('sd15 cost model', () => {
  const sd15 = archFromConfig({ unet: {}, vae: {}, text: {}, audio: {} });
  const at = (height: number, frames: number) => estimateInference(sd15, 'fp32', { height, width: height, frames, motionFrames: 2 }, { provider: 'cuda', steps: 20, weightsBytes: 8 * GIB });

  it('reads SD1.5 defaults: 4 levels, 8 heads, 4 latent channels at 1/8', () => {
    expect(sd15.blockOut).toEqual([320, 640, 1280, 1280]);
    expect(sd15.heads).toBe(8);
    expect(sd15.vaeDownsample).toBe(8);
    expect(sd15.musicTokens).toBe(2 + 12 * 101);
  });

  it('at 640x640 K=48 the level-0 reference attention scores dominate (hundreds of GiB: the next thing to fix)', () => {
    const e = at(640, 48);
    expect(e.parts[0]!.what).toMatch(/spatial self-attention scores at latent level 0/);
    // 2 CFG rows x 50 frames x 8 heads x 6400 queries x 12800 keys x 4 bytes, scores + softmax
    expect(e.parts[0]!.bytes).toBe(2 * 2 * 50 * 8 * 6400 * 12800 * 4);
    expect(e.peakBytes).toBeGreaterThan(400 * GIB);
  });

  it('grows with size and frames; time follows FLOPs, calibrated by a measurement', () => {
    const small = at(256, 4);
    const big = at(512, 16);
    expect(big.unetFlops).toBeGreaterThan(small.unetFlops * 10);
    expect(big.peakBytes).toBeGreaterThan(small.peakBytes);
    const calibrated = estimateInference(sd15, 'fp32', { height: 512, width: 512, frames: 16, motionFrames: 2 }, { provider: 'cpu', steps: 2, weightsBytes: 8 * GIB, measured: { secondsPerStep: 10, shape: { height: 256, width: 256, frames: 4, motionFrames: 2 } } });
    expect(calibrated.throughput).toBe('measured');
    expect(calibrated.secondsPerStep).toBeCloseTo((10 * big.unetFlops) / small.unetFlops, 6);
    expect(timeFromFlops(1e12, 'cpu', 'fp32', 20, 48).secondsPerSegment).toBeGreaterThan(timeFromFlops(1e12, 'cuda', 'fp32', 20, 48).secondsPerSegment);
  });
});
