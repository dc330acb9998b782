/**
 * What the training worker is told to do for one stage of a run: nothing (the stage has its verified final
 * checkpoint), `resume` from the newest verified checkpoint (restored first when the worker's own file is damaged),
 * or `train` from the base pack's weights or the previous stage's final checkpoint, restarting a stage that has no
 * verified checkpoint from its first step. The supervisor (training-run.ts) runs the command.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { TrainingErrorCodes, type RunSpec, type RunState } from '../../shared/domain/training';
import { WORKER_CHECKPOINT_FILE, type CheckpointLedger } from './checkpoint-ledger';
import { readPackInfo } from './pack-info';
import type { WorkerCommand } from './worker-protocol';

/** Torch threads of the worker: all cores but one, for the studio itself. */
export const cpuThreads = () => Math.max(1, Math.min(16, os.cpus().length - 1));

/** How the command builder reports to the run: notes for the user and state changes (step, last checkpoint). */
export interface StageHooks {
  note(level: 'info' | 'warning' | 'error', message: string): void;
  update(patch: Partial<RunState>): void;
}

export async function stageCommand(spec: RunSpec, index: number, dir: string, ledger: CheckpointLedger, hooks: StageHooks): Promise<WorkerCommand | null> {
  const stage = spec.stages[index]!;
  const started = await fs.stat(path.join(dir, 'run.json')).then(() => true, () => false);
  const good = await ledger.newestGood(index, (m) => hooks.note('warning', m));
  if (good?.final && good.step >= stage.steps) return null;
  if (started) {
    if (good) {
      const workerFile = path.join(dir, WORKER_CHECKPOINT_FILE);
      if (await ledger.restore(good, workerFile)) hooks.note('warning', `Restored the verified checkpoint of step ${good.step} (${path.basename(good.path)}).`);
      hooks.update({ step: good.step, lastCheckpoint: good.path });
      return { cmd: 'resume', runDir: dir, steps: stage.steps };
    }
    hooks.note('warning', `No verified checkpoint for stage ${stage.stage}; it restarts from its first step.`);
    const aside = `.restarted-${Date.now()}`;
    await fs.rename(path.join(dir, 'run.json'), path.join(dir, `run.json${aside}`));
    await fs.rename(path.join(dir, WORKER_CHECKPOINT_FILE), path.join(dir, `${WORKER_CHECKPOINT_FILE}${aside}`)).catch(() => {});
    hooks.update({ step: 0, lastCheckpoint: null });
  }
  let initCheckpoint: string | null = null;
  let config: 'tiny' | 'sd15' | Record<string, unknown> = spec.config;
  if (spec.basePack) {
    const pack = await readPackInfo(spec.basePack);
    if (!pack.weightsPath) throw new StudioError(TrainingErrorCodes.packInvalid, `${pack.name} carries no PyTorch weights (weights.fp16.pt); it cannot be fine-tuned.`);
    config = pack.arch;
    if (index === 0) initCheckpoint = pack.weightsPath;
  }
  if (index > 0) {
    const prev = await ledger.newestGood(index - 1, (m) => hooks.note('warning', m));
    if (!prev?.final) throw new StudioError(TrainingErrorCodes.noCheckpoint, `Stage ${spec.stages[index - 1]!.stage} has no verified final checkpoint to continue from.`);
    initCheckpoint = prev.path;
  }
  await fs.mkdir(dir, { recursive: true });
  return {
    cmd: 'train',
    runDir: dir,
    datasetDir: spec.datasetDir,
    config,
    stage: stage.stage,
    steps: stage.steps,
    batchSize: spec.batchSize,
    learningRate: spec.learningRate,
    seed: spec.seed,
    checkpointEverySteps: spec.checkpointEverySteps,
    sampleEverySteps: 0, // previews are requested by the supervisor with the user's image + music
    threads: cpuThreads(),
    initCheckpoint,
    device: spec.device,
    mixedPrecision: spec.mixedPrecision,
    gradientCheckpointing: spec.gradientCheckpointing,
    lora: spec.modules === 'lora' ? { rank: spec.loraRank, alpha: spec.loraRank } : null,
  };
}
