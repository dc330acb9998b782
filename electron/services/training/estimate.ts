/**
 * A time and memory estimate before a run starts. Memory: parameters (from the base pack's fp16 weights, or
 * the built-in config's count) x bytes for fp32 weights + gradients + Adam state of the trainable part.
 * Activations depend on the graph and are measured by the worker (its `estimate` event replaces this one
 * once the run starts). Time: seconds per step measured by earlier runs of the same model, batch and stage.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { RunEstimate, RunSpec } from '../../shared/domain/training';
import { readPackInfo } from './pack-info';

/** Parameter counts of the built-in configs (tiny: measured by the worker's estimate; sd15: SD1.5 UNet x2 + VAE + CLIP-L + AST + stage-2 modules). */
export const BUILTIN_PARAMETERS: Record<'tiny' | 'sd15', number> = { tiny: 3_830_000, sd15: 2_050_000_000 };
/** Share of the parameters a stage trains (paper: stage 1 ReferenceNet + UNet; stage 2 the new modules only). */
const TRAINABLE_SHARE = { 1: 0.85, 2: 0.3, lora: 0.01 } as const;
const BYTES_FP32 = 4;
const ADAM_STATES = 2;

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(bytes < 1024 ** 3 ? 2 : 1)} GB`;
const duration = (sec: number) => (sec < 90 ? `${Math.round(sec)} s` : sec < 5400 ? `${Math.round(sec / 60)} min` : `${(sec / 3600).toFixed(1)} h`);

export interface MeasuredRate {
  key: string;
  secondsPerStep: number;
}

export const rateKey = (model: string, batchSize: number, stage: number) => `${model}|b${batchSize}|s${stage}`;

export async function estimateRun(spec: RunSpec, measured: Map<string, number>): Promise<RunEstimate> {
  let parameters: number;
  let model: string;
  if (spec.basePack) {
    const pack = await readPackInfo(spec.basePack);
    parameters = pack.weightsBytes ? Math.round(pack.weightsBytes / 2) : BUILTIN_PARAMETERS.tiny;
    model = `pack:${pack.name}`;
  } else {
    parameters = BUILTIN_PARAMETERS[spec.config];
    model = spec.config;
  }
  let peakBytes = 0;
  let totalSec: number | null = 0;
  let firstRate: number | null = null;
  for (const stage of spec.stages) {
    const share = spec.modules === 'lora' ? TRAINABLE_SHARE.lora : TRAINABLE_SHARE[stage.stage];
    const trainable = parameters * share;
    peakBytes = Math.max(peakBytes, parameters * BYTES_FP32 + trainable * BYTES_FP32 * (1 + ADAM_STATES));
    const rate = measured.get(rateKey(model, spec.batchSize, stage.stage)) ?? null;
    firstRate ??= rate;
    totalSec = rate !== null && totalSec !== null ? totalSec + rate * stage.steps : null;
  }
  const steps = spec.stages.reduce((n, s) => n + s.steps, 0);
  const time = totalSec !== null ? `about ${duration(totalSec)} for ${steps} steps (measured on earlier runs)` : `time measured after the first steps`;
  return {
    source: 'analytic',
    parameters,
    totalBytes: peakBytes,
    secondsPerStep: firstRate,
    totalSec,
    summary: `${(parameters / 1e6).toFixed(1)} M parameters; weights + gradients + Adam ≈ ${gb(peakBytes)} plus activations; ${time}.`,
  };
}

/** Seconds per step of finished runs, from their logs' last progress event (newest run wins per key). */
export async function measuredRates(runDirs: string[]): Promise<Map<string, number>> {
  const rates = new Map<string, number>();
  for (const dir of runDirs) {
    const text = await fs.readFile(path.join(dir, 'log.jsonl'), 'utf8').catch(() => '');
    let spec: RunSpec | null = null;
    let last: { stage: number; stepsPerSec: number } | null = null;
    for (const line of text.split('\n')) {
      if (!line.includes('"progress"') && !line.includes('"spec"')) continue;
      try {
        const r = JSON.parse(line) as { spec?: RunSpec; event?: { type?: string; stage?: number; stepsPerSec?: number | null } };
        if (r.spec) spec = r.spec;
        if (r.event?.type === 'progress' && r.event.stepsPerSec) last = { stage: r.event.stage ?? 1, stepsPerSec: r.event.stepsPerSec };
      } catch {
        // torn line
      }
    }
    if (!spec || !last) continue;
    const model = spec.basePack ? `pack:${await readPackInfo(spec.basePack).then((p) => p.name, () => '?')}` : spec.config;
    if (!rates.has(rateKey(model, spec.batchSize, last.stage))) rates.set(rateKey(model, spec.batchSize, last.stage), 1 / last.stepsPerSec);
  }
  return rates;
}
