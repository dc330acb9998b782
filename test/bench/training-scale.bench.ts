/**
 * Training-at-scale bench (issue 12): one training step of the tiny config in float32 (the reference, measured in
 * the same run), bf16 autocast, gradient checkpointing and LoRA; on a CUDA machine also fp16 and sd15 blocks with
 * peak GPU memory. The work runs in Python (`native-models/scripts/bench_training.py`); this forwards its lines.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChildBench } from './report';

const BENCH_TIMEOUT_MS = 15 * 60_000;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export default async function trainingScaleBench(): Promise<void> {
  const python = process.env.MUSEDANCE_PYTHON ?? '/usr/bin/python3';
  const script = path.join(repoRoot, 'native-models', 'scripts', 'bench_training.py');
  await runChildBench(python, [script], { cwd: repoRoot, timeoutMs: BENCH_TIMEOUT_MS });
}
