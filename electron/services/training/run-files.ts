/**
 * A run folder on disk:
 *   spec.json                   the RunSpec (what the user asked for)
 *   state.json                  last known RunState (status, step, ...), rewritten atomically
 *   log.jsonl                   every worker event and supervisor note, one JSON object per line
 *   checkpoint-hashes.jsonl     the checkpoint ledger (sha256 per announced checkpoint)
 *   run.json, checkpoints/      the worker's files for the last stage (earlier stages: stage<N>/)
 *   samples/                    preview samples (frames, audio.wav, sample.webm)
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-file';
import { LossPoint, RunSpec, RunState, type RunSample } from '../../shared/domain/training';

export const SPEC_FILE = 'spec.json';
export const STATE_FILE = 'state.json';
export const LOG_FILE = 'log.jsonl';
export const SAMPLES_DIR = 'samples';
export const SAMPLE_VIDEO = 'sample.webm';

/** Worker run folder of stage `index` (0-based): the last stage trains in the run folder itself. */
export const stageDir = (runDir: string, spec: RunSpec, index: number): string =>
  index === spec.stages.length - 1 ? runDir : path.join(runDir, `stage${index + 1}`);

export async function writeSpec(runDir: string, spec: RunSpec): Promise<void> {
  await writeFileAtomic(path.join(runDir, SPEC_FILE), JSON.stringify(spec, null, 1) + '\n');
}

export async function readSpec(runDir: string): Promise<RunSpec | null> {
  const text = await fsp.readFile(path.join(runDir, SPEC_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const parsed = RunSpec.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function writeState(runDir: string, state: RunState): Promise<void> {
  await writeFileAtomic(path.join(runDir, STATE_FILE), JSON.stringify(state, null, 1) + '\n');
}

export async function readState(runDir: string): Promise<RunState | null> {
  const text = await fsp.readFile(path.join(runDir, STATE_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const parsed = RunState.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Append-only log; a line is written with one synchronous append so a SIGKILLed studio never tears it. */
export class RunLog {
  constructor(private readonly runDir: string) {}
  write(record: Record<string, unknown>): void {
    try {
      fs.appendFileSync(path.join(this.runDir, LOG_FILE), JSON.stringify({ at: new Date().toISOString(), ...record }) + '\n');
    } catch {
      // The run folder vanished (deleted by the user): nothing sensible to do with a log line.
    }
  }
}

/** Loss curve and samples of a run, rebuilt from its log (so history survives restarts). */
export async function readRunHistory(runDir: string): Promise<{ losses: LossPoint[]; samples: RunSample[] }> {
  const text = await fsp.readFile(path.join(runDir, LOG_FILE), 'utf8').catch(() => '');
  const byStep = new Map<string, LossPoint>();
  const samples: RunSample[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    let record: { source?: string; event?: { type?: string; stage?: number; step?: number; loss?: number; lr?: number }; sample?: RunSample };
    try {
      record = JSON.parse(line);
    } catch {
      continue;
    }
    const e = record.event;
    if (record.source === 'worker' && e?.type === 'loss') {
      const point = LossPoint.safeParse({ stage: e.stage, step: e.step, loss: e.loss, lr: e.lr });
      // A resumed run repeats the steps after its checkpoint: the later value wins.
      if (point.success) byStep.set(`${point.data.stage}:${point.data.step}`, point.data);
    } else if (record.source === 'studio' && record.sample) {
      samples.push(record.sample);
    }
  }
  const losses = [...byStep.values()].sort((a, b) => a.stage - b.stage || a.step - b.step);
  return { losses, samples };
}
