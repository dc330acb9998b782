/**
 * Training-at-scale bench (issue 12): one training step of the tiny config in float32 (the reference, measured in
 * the same run), bf16 autocast, gradient checkpointing and LoRA; on a CUDA machine also fp16 and sd15 blocks with
 * peak GPU memory. The work runs in Python (`native-models/scripts/bench_training.py`); this forwards its lines.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bench } from './report';

const BENCH_TIMEOUT_MS = 15 * 60_000;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export default async function trainingScaleBench(): Promise<void> {
  const python = process.env.MUSEDANCE_PYTHON ?? '/usr/bin/python3';
  const script = path.join(repoRoot, 'native-models', 'scripts', 'bench_training.py');
  const lines = await new Promise<string[]>((resolve, reject) => {
    const child = spawn(python, [script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), BENCH_TIMEOUT_MS);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', (e) => (clearTimeout(timer), reject(e)));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.split('\n'));
      else reject(new Error(`bench_training.py exited with ${code}`));
    });
  });
  for (const line of lines) {
    const m = /^BENCH (\S+) (\S+) (\S+)$/.exec(line.trim());
    if (m) bench(m[1]!, Number(m[2]), m[3]!);
  }
}
