/**
 * Bundled musedance-tiny pack (issue 7): one K=48 segment with 20 DDIM steps and CFG batch 2 on ONNX Runtime CPU,
 * plus, as the reference measured in the same run, the 4-step golden run checked against PyTorch. The work runs in
 * `native-models/scripts/sample_segment.cjs`; this forwards its BENCH lines. The held-out quality numbers and the
 * ablation come from `python -m musedance_models.tiny_pack eval` (native-models/RESULTS.md): they need the
 * training run's checkpoints, which a fresh checkout does not have.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bench, runChildBench } from './report';

const BENCH_TIMEOUT_MS = 5 * 60_000;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export default async function tinyPackBench(): Promise<void> {
  const script = path.join(repoRoot, 'native-models', 'scripts', 'sample_segment.cjs');
  const pack = path.join(repoRoot, 'assets', 'models', 'musedance-tiny');
  const out = await runChildBench(process.execPath, [script, pack, '20'], { cwd: repoRoot, timeoutMs: BENCH_TIMEOUT_MS });
  const summary = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { goldenFinalLatentsMaxAbs?: number };
  bench('tiny_golden_sampling_max_abs_vs_pytorch', summary.goldenFinalLatentsMaxAbs ?? NaN, 'abs');
}
