/**
 * Inference engine benchmarks (targets from issue 8):
 *   BENCH inference.ort_vs_torch_step_ratio  — ORT-node time per denoising step / PyTorch's, same graph, same
 *                                              inputs, same machine, measured in this run (target <= 0.8)
 *   BENCH inference.segment_seconds          — one 4 s segment (K=48, the pack's default steps) end to end:
 *                                              conditioning, music, DDIM + CFG, VAE decode (target < 20 s)
 *   BENCH inference.cuda_segment_seconds     — the same with the CUDA provider, or a line saying it did not run.
 * Pack: MUSEDANCE_BENCH_PACK if set, else the bundled tiny pack when present and valid, else a K=48 pack exported from a randomly initialised model
 * (same architecture and graph sizes, so the timings are the same).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bench } from './report';
import { PackRuntime } from '../../electron/services/inference/pack-runtime';
import { validatePack } from '../../electron/services/inference/pack-validator';
import { decodeFrames, prepareConditioning, sampleLatents } from '../../electron/services/inference/sampler';
import { gaussianNoise } from '../../electron/services/inference/seeded-noise';
import { segmentBeatOneHot } from '../../electron/services/inference/beat-onehot';
import { probeProviders } from '../../electron/services/onnx/providers';
import { ensureTestPack, readGolden } from '../fixtures/inference/test-pack';

const STEP_RUNS = 5;
/** One thread on both sides: on a shared 2-core machine more threads only measure contention. */
const STEP_THREADS = Number(process.env.BENCH_STEP_THREADS ?? 1);
const PYTHON = process.env.MUSEDANCE_PYTHON || '/usr/bin/python3';

async function packDir(): Promise<{ dir: string; label: string }> {
  if (process.env.MUSEDANCE_BENCH_PACK) return { dir: path.resolve(process.env.MUSEDANCE_BENCH_PACK), label: `MUSEDANCE_BENCH_PACK ${process.env.MUSEDANCE_BENCH_PACK}` };
  const bundled = path.resolve('assets/models/musedance-tiny');
  if (fs.existsSync(bundled) && (await validatePack(bundled)).report.valid) return { dir: bundled, label: 'bundled musedance-tiny' };
  return { dir: await ensureTestPack(48), label: 'random-weights K=48 test pack (bundled pack absent)' };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function ortStepMs(runtime: PackRuntime, dir: string): Promise<number> {
  const golden = readGolden(dir);
  const spec = runtime.manifest.graphs.unet;
  const feeds = () => Object.fromEntries(spec.inputs.map((i) => [i.name, { dtype: 'float32' as const, dims: i.shape, data: golden.tensor(`unet.${i.name}`) }]));
  await runtime.runRaw('unet', feeds()); // warm-up
  const times: number[] = [];
  for (let r = 0; r < STEP_RUNS; r++) {
    const f = feeds();
    const t0 = performance.now();
    await runtime.runRaw('unet', f);
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function segmentSeconds(runtime: PackRuntime, dir: string): Promise<number> {
  const golden = readGolden(dir);
  const m = runtime.manifest;
  const { K, latentFrame } = runtime.shapes;
  const t0 = performance.now();
  const cond = await prepareConditioning(runtime, golden.tensor('vae_encoder.image'), 'a red robot sways side to side');
  const wave = new Float32Array(m.audio.segmentSamples).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / 16000));
  const music = await runtime.musicTokens(runtime.fbankInput(wave));
  const latents = await sampleLatents(runtime, {
    cond,
    music,
    beat: segmentBeatOneHot([0.5, 1, 1.5, 2, 2.5, 3, 3.5], 0, m.config.fps, K),
    motion: null,
    noise: gaussianNoise(1, K * latentFrame),
    steps: m.scheduler.defaultNumSteps,
    guidance: m.scheduler.defaultGuidanceScale,
  });
  await decodeFrames(runtime, latents);
  return (performance.now() - t0) / 1000;
}

export default async function () {
  const { dir, label } = await packDir();
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  console.log(`# inference: pack ${label}; ${m.config.height}x${m.config.width}, K=${m.config.framesPerSegment}, ${m.scheduler.defaultNumSteps} steps; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);

  const single = await PackRuntime.open(dir, { provider: 'cpu', intraOpThreads: STEP_THREADS });
  try {
    const ortMs = await ortStepMs(single, dir);
    const torch = JSON.parse(execFileSync(PYTHON, [path.resolve('test/bench/inference_torch_step.py'), dir, String(STEP_RUNS)], { encoding: 'utf8', env: { ...process.env, BENCH_TORCH_THREADS: String(STEP_THREADS) }, stdio: ['ignore', 'pipe', 'ignore'], timeout: 600_000 }).trim().split('\n').pop()!) as { ms: number; threads: number };
    console.log(`# unet step (CFG batch 2), ${STEP_THREADS} thread(s) each: ORT-node ${ortMs.toFixed(0)} ms, PyTorch ${torch.ms.toFixed(0)} ms (${torch.threads} threads), median of ${STEP_RUNS}`);
    bench('inference.ort_vs_torch_step_ratio', ortMs / torch.ms, 'x');
  } finally {
    await single.close();
  }
  const cpu = await PackRuntime.open(dir, { provider: 'cpu' });
  try {
    const seconds = await segmentSeconds(cpu, dir);
    console.log(`# one ${m.config.framesPerSegment}-frame segment on CPU: ${seconds.toFixed(1)} s (target < 20 s)`);
    bench('inference.segment_seconds', seconds, 's');
  } finally {
    await cpu.close();
  }

  const selection = await probeProviders();
  const cuda = selection.details.find((d) => d.name === 'cuda');
  if (!cuda?.available) {
    console.log(`# inference.cuda_segment_seconds did not run: ${cuda?.reason ?? 'CUDA provider not probed'}`);
    return;
  }
  const gpu = await PackRuntime.open(dir, { provider: 'cuda' });
  try {
    console.log(`# unet step on CUDA: ${(await ortStepMs(gpu, dir)).toFixed(1)} ms`);
    bench('inference.cuda_segment_seconds', await segmentSeconds(gpu, dir), 's');
  } finally {
    await gpu.close();
  }
}
