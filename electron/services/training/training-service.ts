/**
 * The studio's training runner: live runs by id, run history on disk (`<dataDir>/training/runs/`), estimates,
 * and pack export into the studio's pack list (`<dataDir>/packs/`). One instance per studio.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { TrainingErrorCodes, type RunDetails, type RunEstimate, type RunSpec, type RunState, type TrainingEvent } from '../../shared/domain/training';
import type { StudioConfig } from '../config';
import type { MediaRoots } from '../media-roots';
import { CheckpointLedger } from './checkpoint-ledger';
import { estimateRun, measuredRates } from './estimate';
import { listPackDirs, readPackInfo, type PackInfo } from './pack-info';
import { checkPython, type PythonInfo } from './python-check';
import { readRunHistory, readSpec, readState, writeState } from './run-files';
import { isTerminal, TrainingRun, type RunEnvironment } from './training-run';
import { TrainingWorker } from './training-worker';
import { validatePack } from '../inference/index';
import type { WorkerEventOf } from './worker-protocol';

/** Media root under which run folders are served to the renderer (sample videos). */
export const RUNS_MEDIA_ROOT = 'training-runs';
/** An export of the tiny pack takes seconds; sd15 graphs take minutes to trace and write. */
export const EXPORT_TIMEOUT_MS = 30 * 60_000;

const slug = (s: string) => s.normalize('NFKD').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'run';
const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');

export class TrainingService {
  private readonly live = new Map<string, TrainingRun>();
  private readonly subscribers = new Set<(e: TrainingEvent) => void>();
  readonly runsRoot: string;
  readonly packsRoot: string;

  constructor(
    private readonly config: StudioConfig,
    private readonly media: MediaRoots | null,
    private readonly envOverrides: Partial<RunEnvironment> = {},
  ) {
    this.runsRoot = path.join(config.dataDir, 'training', 'runs');
    this.packsRoot = path.join(config.dataDir, 'packs');
    this.media?.setPack(RUNS_MEDIA_ROOT, this.runsRoot);
  }

  get env(): RunEnvironment {
    return {
      pythonPath: this.config.pythonPath,
      modelsDir: this.config.nativeModelsDir,
      media: { ffmpegPath: this.config.ffmpegPath, ffprobePath: this.config.ffprobePath },
      ...this.envOverrides,
    };
  }

  /** Live events of every run go to each subscriber (the host's broadcast, a CLI printer). */
  subscribe(fn: (e: TrainingEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  checkPython(signal?: AbortSignal): Promise<PythonInfo> {
    return checkPython(this.config.pythonPath, signal);
  }

  async basePacks(): Promise<(PackInfo & { source: 'user' | 'bundled' })[]> {
    const dirs = await listPackDirs([
      { dir: this.packsRoot, source: 'user' },
      { dir: this.config.bundledPacksDir, source: 'bundled' },
    ]);
    const packs: (PackInfo & { source: 'user' | 'bundled' })[] = [];
    for (const d of dirs) {
      const info = await readPackInfo(d.dir).catch(() => null);
      if (info) packs.push({ ...info, source: d.source });
    }
    return packs;
  }

  async estimate(spec: RunSpec): Promise<RunEstimate> {
    return estimateRun(spec, await measuredRates(await this.runDirs()));
  }

  async start(spec: RunSpec, runDir?: string): Promise<RunState> {
    const dir = path.resolve(runDir ?? path.join(this.runsRoot, `${stamp()}-${slug(spec.name)}`));
    const id = path.basename(dir);
    if (this.live.get(id)?.active) throw new StudioError(TrainingErrorCodes.runActive, `Run ${id} is already training.`);
    const run = await TrainingRun.create(dir, spec, this.env);
    return this.launch(run);
  }

  /** Continues a run from disk (after a cancel, an interruption or a crash of the studio itself). */
  async resumeFromDisk(runDir: string, steps?: number): Promise<RunState> {
    const dir = path.resolve(runDir);
    const id = path.basename(dir);
    if (this.live.get(id)?.active) throw new StudioError(TrainingErrorCodes.runActive, `Run ${id} is already training.`);
    const [spec, state] = await Promise.all([readSpec(dir), readState(dir)]);
    if (!spec || !state) throw new StudioError(TrainingErrorCodes.runNotFound, `${dir} holds no training run (spec.json/state.json missing or damaged).`);
    return this.launch(TrainingRun.reopen(dir, spec, state, this.env, steps));
  }

  private async launch(run: TrainingRun): Promise<RunState> {
    run.on((e) => this.subscribers.forEach((fn) => fn(e)));
    this.live.set(run.runId, run);
    return run.start();
  }

  liveRun(runId: string): TrainingRun {
    const run = this.live.get(runId);
    if (!run?.active) throw new StudioError(TrainingErrorCodes.runNotActive, `Run ${runId} is not running in this studio.`);
    return run;
  }

  async resume(request: { runId?: string; runDir?: string; steps?: number }): Promise<RunState> {
    const live = request.runId ? this.live.get(request.runId) : undefined;
    if (live?.active && live.state.status === 'paused') return live.resume();
    const dir = request.runDir ?? (request.runId ? path.join(this.runsRoot, request.runId) : null);
    if (!dir) throw new StudioError('BAD_REQUEST', 'Name the run to resume (runId or runDir).');
    return this.resumeFromDisk(dir, request.steps);
  }

  async list(): Promise<RunState[]> {
    const states: RunState[] = [];
    for (const dir of await this.runDirs()) {
      const state = await this.stateOf(dir);
      if (state) states.push(state);
    }
    return states.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async details(request: { runId?: string; runDir?: string }): Promise<RunDetails> {
    const dir = this.resolveRunDir(request);
    const [spec, state] = await Promise.all([readSpec(dir), this.stateOf(dir)]);
    if (!spec || !state) throw new StudioError(TrainingErrorCodes.runNotFound, `${dir} holds no training run.`);
    const { losses, samples } = await readRunHistory(dir);
    // Sample paths are served from the runs root; a run elsewhere (CLI --out) gets its own root.
    const inRoot = path.dirname(dir) === this.runsRoot;
    const mediaRoot = inRoot ? `${RUNS_MEDIA_ROOT}/${path.basename(dir)}` : `run-${path.basename(dir)}`;
    if (!inRoot) this.media?.setPack(mediaRoot, dir);
    return { state, spec, losses, samples, mediaRoot };
  }

  /** Exports a pack from the run's newest verified checkpoint, checks it and registers it in the pack list. */
  async exportPack(request: { runId?: string; runDir?: string; name?: string; outDir?: string }, hooks: { signal?: AbortSignal; onProgress?(f: number | null, m: string): void } = {}) {
    const dir = this.resolveRunDir(request);
    const id = path.basename(dir);
    if (this.live.get(id)?.active) throw new StudioError(TrainingErrorCodes.runActive, `Run ${id} is still training; export after it ends (or cancel it).`);
    const spec = await readSpec(dir);
    if (!spec) throw new StudioError(TrainingErrorCodes.runNotFound, `${dir} holds no training run.`);
    const ledger = new CheckpointLedger(dir, spec.keepCheckpoints);
    const checkpoint = await ledger.newestGood(spec.stages.length - 1, () => {});
    if (!checkpoint) throw new StudioError(TrainingErrorCodes.noCheckpoint, `Run ${id} has no verified checkpoint to export.`);
    const name = slug(request.name ?? `${spec.name}-step${checkpoint.final ? 'final' : checkpoint.step}`);
    let outDir = path.resolve(request.outDir ?? path.join(this.packsRoot, name));
    if (!request.outDir) for (let n = 2; await fs.stat(outDir).then(() => true, () => false); n++) outDir = path.join(this.packsRoot, `${name}-${n}`);
    await fs.mkdir(path.dirname(outDir), { recursive: true });

    hooks.onProgress?.(null, `Exporting ${path.basename(checkpoint.path)} as pack ${path.basename(outDir)}`);
    const worker = new TrainingWorker({ pythonPath: this.env.pythonPath, modelsDir: this.env.modelsDir });
    const onAbort = () => void worker.stop();
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await worker.start(hooks.signal);
      const done = new Promise<WorkerEventOf<'done'>>((resolve, reject) => {
        let lastError = '';
        const timer = setTimeout(() => reject(new StudioError(TrainingErrorCodes.exportFailed, `The export did not finish within ${EXPORT_TIMEOUT_MS / 60_000} min.`)), EXPORT_TIMEOUT_MS);
        worker.onEvent((e) => {
          if (e.type === 'error') lastError = `${e.message} (${e.code})`;
          if (e.type === 'done' && e.cmd === 'export') {
            clearTimeout(timer);
            if (e.status === 'completed') resolve(e);
            else reject(new StudioError(TrainingErrorCodes.exportFailed, `The export failed: ${lastError || e.status}`));
          }
        });
        worker.onExit((exit) => {
          clearTimeout(timer);
          reject(new StudioError(hooks.signal?.aborted ? 'CANCELLED' : TrainingErrorCodes.exportFailed, `The worker stopped during the export (${exit.signal ?? `code ${exit.code}`}).`));
        });
      });
      await worker.send({ cmd: 'export', checkpoint: checkpoint.path, outDir, name: path.basename(outDir) });
      const result = await done;
      hooks.onProgress?.(0.9, 'Checking the pack');
      const packDir = result.packDir ?? outDir;
      const info = await verifyExported(packDir, hooks.signal);
      this.media?.setPack(path.basename(packDir), packDir);
      await fs.appendFile(path.join(dir, 'log.jsonl'), JSON.stringify({ at: new Date().toISOString(), source: 'studio', note: 'pack exported', packDir }) + '\n');
      const state = await readState(dir);
      if (state) await writeState(dir, { ...state, exportedPack: packDir });
      return { packDir, name: info.name, manifestPath: result.manifestPath ?? path.join(packDir, 'manifest.json'), loadCheck: info.loadCheck };
    } catch (error) {
      if (!(await fs.readdir(outDir).then((f) => f.length > 0, () => false))) await fs.rm(outDir, { recursive: true, force: true });
      throw error;
    } finally {
      hooks.signal?.removeEventListener('abort', onAbort);
      await worker.stop();
    }
  }

  /** Interrupts every live run (studio shutting down); each can be resumed later. */
  async dispose(): Promise<void> {
    await Promise.all([...this.live.values()].map((r) => r.interrupt()));
  }

  private resolveRunDir(request: { runId?: string; runDir?: string }): string {
    if (request.runDir) return path.resolve(request.runDir);
    if (request.runId) return this.live.get(request.runId)?.runDir ?? path.join(this.runsRoot, request.runId);
    throw new StudioError('BAD_REQUEST', 'Name the run (runId or runDir).');
  }

  private async runDirs(): Promise<string[]> {
    const names = await fs.readdir(this.runsRoot).catch(() => [] as string[]);
    const dirs = names.map((n) => path.join(this.runsRoot, n));
    for (const run of this.live.values()) if (!dirs.includes(run.runDir)) dirs.push(run.runDir);
    return dirs;
  }

  /** Live state when the run is here; from disk otherwise (a run that was training when the studio died is interrupted). */
  private async stateOf(dir: string): Promise<RunState | null> {
    const live = this.live.get(path.basename(dir));
    if (live && live.runDir === dir) return live.state;
    const state = await readState(dir);
    if (!state) return null;
    return isTerminal(state.status) ? state : { ...state, status: 'interrupted', etaSec: null, message: 'The studio stopped while this run was training; resume continues from its last checkpoint.' };
  }
}

/** An exported pack must pass the inference engine's own validation (manifest schema, sha256, graph I/O). */
async function verifyExported(packDir: string, signal?: AbortSignal): Promise<{ name: string; loadCheck: string }> {
  const { report, pack } = await validatePack(packDir, { signal });
  if (!pack) throw new StudioError(TrainingErrorCodes.packInvalid, `The exported pack does not load in the inference engine: ${report.error?.message ?? 'unknown problem'}`);
  return { name: report.name ?? path.basename(packDir), loadCheck: `inference engine validation: ${report.checks.filter((c) => c.ok).length} checks passed` };
}
