import path from 'node:path';
import { StudioError } from '../../shared/result';
import type { RunDetails, RunState } from '../../shared/domain/training';
import type { CliCommand, CliContext } from '../command';
import { userPath } from '../job';

/** How often the foreground CLI reads the run's state. */
const POLL_INTERVAL_MS = 1_000;
const TERMINAL = new Set(['completed', 'cancelled', 'failed', 'interrupted']);

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'Train or fine-tune on a prepared dataset with the supervised Python worker (Ctrl+C stops with a checkpoint)',
  usage:
    'train --data <dir> --out <run-dir> [--config tiny|sd15 | --pack <dir>] --steps N [--stage 1|2] [--lr x] [--batch n] [--checkpoint-every n] [--lora rank] [--resume]  [--json]',
  options: { data: 'string', out: 'string', config: 'string', pack: 'string', steps: 'number', stage: 'number', lr: 'number', batch: 'number', 'checkpoint-every': 'number', lora: 'number', resume: 'boolean', name: 'string' },
  async run(args, ctx) {
    const o = args.options;
    const out = o.out as string | undefined;
    if (!out) throw new StudioError('CLI_USAGE', `usage: ${this.usage}`);
    const steps = o.steps as number | undefined;
    if (steps !== undefined && (!Number.isInteger(steps) || steps < 1)) throw new StudioError('CLI_USAGE', '--steps must be a whole number >= 1.');
    let state: RunState;
    if (o.resume) {
      state = await ctx.call('training.resume', { runDir: userPath(out), steps });
      ctx.status(`Resuming ${state.runDir} from step ${state.step}`);
    } else {
      const data = o.data as string | undefined;
      if (!data || steps === undefined) throw new StudioError('CLI_USAGE', `usage: ${this.usage}`);
      const config = (o.config as string | undefined) ?? 'tiny';
      if (config !== 'tiny' && config !== 'sd15') throw new StudioError('CLI_USAGE', '--config must be tiny or sd15.');
      const stage = (o.stage as number | undefined) ?? 1;
      if (stage !== 1 && stage !== 2) throw new StudioError('CLI_USAGE', '--stage must be 1 or 2.');
      state = await ctx.call('training.start', {
        runDir: userPath(out),
        spec: {
          name: (o.name as string | undefined) ?? path.basename(userPath(out)),
          datasetDir: userPath(data),
          basePack: o.pack ? userPath(o.pack as string) : null,
          config,
          stages: [{ stage, steps }],
          learningRate: (o.lr as number | undefined) ?? 1e-4,
          batchSize: (o.batch as number | undefined) ?? 1,
          modules: o.lora ? 'lora' : 'stage-default',
          loraRank: (o.lora as number | undefined) ?? 8,
          checkpointEverySteps: (o['checkpoint-every'] as number | undefined) ?? Math.max(1, Math.min(100, Math.floor(steps / 4))),
          device: 'auto',
        },
      });
      ctx.status(`Training in ${state.runDir}`);
    }
    const details = await follow(ctx, state.runId, state.runDir);
    const s = details.state;
    const losses = details.losses;
    const json = {
      runDir: s.runDir,
      status: s.status,
      stage: s.stage,
      step: s.step,
      totalSteps: s.totalSteps,
      lastCheckpoint: s.lastCheckpoint,
      autoResumes: s.autoResumes,
      firstLoss: losses[0]?.loss ?? null,
      lastLoss: losses.at(-1)?.loss ?? null,
      lossPoints: losses.length,
      estimate: s.estimate,
      message: s.message,
    };
    if (s.status === 'failed') throw new StudioError('TRAINING_FAILED', s.message);
    return { json, text: `${s.status}: ${s.message} (run ${s.runDir}, checkpoint ${s.lastCheckpoint ?? 'none'})` };
  },
};

/** Follows the run until it ends; Ctrl+C cancels it with a checkpoint so that --resume continues it. */
async function follow(ctx: CliContext, runId: string, runDir: string): Promise<RunDetails> {
  let cancelling = false;
  let lastStep = -1;
  for (;;) {
    if (ctx.signal.aborted && !cancelling) {
      cancelling = true;
      ctx.status('Stopping with a checkpoint (resume with --resume)...');
      await ctx.call('training.cancel', { runId}).catch(() => {});
    }
    const details = await ctx.call('training.run', { runDir });
    const s = details.state;
    if (s.step !== lastStep) {
      lastStep = s.step;
      const loss = details.losses.at(-1);
      ctx.status(`stage ${s.stage} step ${s.step}/${s.totalSteps}${loss ? ` loss ${loss.loss.toFixed(4)}` : ''}${s.etaSec !== null ? ` eta ${Math.round(s.etaSec)} s` : ''} [${s.status}]`);
    }
    if (TERMINAL.has(s.status)) return details;
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
}
