/**
 * Bundled musedance-tiny pack (issue 7): one K=48 segment with 20 DDIM steps and CFG batch 2 on ONNX Runtime CPU,
 * plus, as the reference measured in the same run, the pack's 4-step golden run checked against PyTorch. Both run
 * the studio's own engine (PackRuntime + sampler.ts, the one TypeScript DDIM) on the golden conditioning inputs.
 * The held-out quality numbers and the ablation come from `native-models/recipes/tiny_pack.py eval`
 * (native-models/RESULTS.md): they need the training run's checkpoints, which a fresh checkout does not have.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PackRuntime } from '../../electron/services/inference/pack-runtime';
import { decodeFrames, sampleLatents, type SegmentSampling } from '../../electron/services/inference/sampler';
import { maxAbsDiff, readGolden } from '../fixtures/inference/test-pack';
import { bench } from './report';

const FULL_STEPS = 20;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface GoldenSampling {
  numSteps: number;
  guidanceScale: number;
  inputs: Record<'ref_latents' | 'text_cond' | 'text_uncond' | 'music_tokens' | 'beat_onehot' | 'motion_latents' | 'noise', string>;
  outputs: { final_latents: string };
}

export default async function tinyPackBench(): Promise<void> {
  const pack = path.join(repoRoot, 'assets', 'models', 'musedance-tiny');
  const golden = readGolden(pack);
  const g = (golden.index as unknown as { sampling: GoldenSampling }).sampling;
  const runtime = await PackRuntime.open(pack, { provider: 'cpu' });
  try {
    const job = async (steps: number, guidance: number): Promise<SegmentSampling> => {
      const refLatents = golden.tensor(g.inputs.ref_latents);
      const textCond = golden.tensor(g.inputs.text_cond);
      const cond = { textCond, textUncond: golden.tensor(g.inputs.text_uncond), refLatents, refFeats: await runtime.referenceFeatures(refLatents, textCond) };
      return { cond, music: golden.tensor(g.inputs.music_tokens), beat: golden.tensor(g.inputs.beat_onehot), motion: golden.tensor(g.inputs.motion_latents), noise: golden.tensor(g.inputs.noise), steps, guidance };
    };
    const goldenLatents = await sampleLatents(runtime, await job(g.numSteps, g.guidanceScale));
    const goldenMaxAbs = maxAbsDiff(goldenLatents, golden.tensor(g.outputs.final_latents));

    const started = performance.now();
    const latents = await sampleLatents(runtime, await job(FULL_STEPS, runtime.manifest.scheduler.defaultGuidanceScale));
    const decodeStarted = performance.now();
    const frames = await decodeFrames(runtime, latents);
    const ended = performance.now();
    bench(`tiny_segment_${FULL_STEPS}_steps_cpu`, Math.round(ended - started), 'ms');
    bench(`tiny_segment_decode_${frames.length}_frames_cpu`, Math.round(ended - decodeStarted), 'ms');
    bench('tiny_golden_sampling_max_abs_vs_pytorch', goldenMaxAbs, 'abs');
  } finally {
    await runtime.close();
  }
}
