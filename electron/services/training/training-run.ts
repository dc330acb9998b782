/**
 * Supervises one training run: its stages in order, one TrainingWorker at a time, the run folder's files,
 * checkpoints (hashed into the ledger as they are announced), preview samples on the user's image + music,
 * pause / resume / cancel, and recovery: when the worker crashes, is SIGKILLed or stops sending heartbeats, a
 * new worker continues from the newest checkpoint whose hash still matches (at most MAX_AUTO_RESUMES times).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { TrainingErrorCodes, type LossPoint, type RunEstimate, type RunSample, type RunSpec, type RunState, type RunStatus, type TrainingEvent } from '../../shared/domain/training';
import type { MediaTools } from '../media/index';
import { CheckpointLedger, WORKER_CHECKPOINT_FILE } from './checkpoint-ledger';
import { checkPython } from './python-check';
import { stageCommand } from './stage-command';
import { RunLog, SAMPLE_VIDEO, SAMPLES_DIR, stageDir, writeSpec, writeState } from './run-files';
import { muxSampleVideo } from './sample-video';
import { prepareSampleInputs, type SampleInputs } from './sample-inputs';
import { TrainingWorker, type WorkerExit } from './training-worker';
import type { WorkerEvent, WorkerEventOf } from './worker-protocol';

/** Crash recoveries per run before the supervisor gives up (a worker that dies every time has a real bug). */
export const MAX_AUTO_RESUMES = 3;
/** After `cancel`, how long the worker gets to reach a step boundary before it is stopped by force. */
export const CANCEL_WAIT_MS = 30_000;
/** Progress state is persisted at most this often (the log has every event anyway). */
export const STATE_WRITE_INTERVAL_MS = 1_000;
/** The end-of-stage sample renders K frames with DDIM on the final weights. */
export const FINAL_SAMPLE_TIMEOUT_MS = 10 * 60_000;

export interface RunEnvironment {
  pythonPath: string;
  modelsDir: string;
  media: MediaTools;
  heartbeatTimeoutMs?: number;
}

type StageEnd = { kind: 'done'; status: 'completed' | 'cancelled' | 'terminated' | 'failed' } | { kind: 'exit'; exit: WorkerExit } | { kind: 'hung'; silentMs: number };
type Outcome = 'completed' | 'cancelled' | 'interrupted';

const TERMINAL: RunStatus[] = ['completed', 'cancelled', 'failed', 'interrupted'];
export const isTerminal = (s: RunStatus) => TERMINAL.includes(s);
/** CPU threads for PyTorch: all cores but one (kept for the studio, ffmpeg and the UI), at least 1. */
const sampleDirName = (stage: number, step: number) => `stage${stage}_step_${String(step).padStart(8, '0')}`;

export class TrainingRun {
  readonly runId: string;
  private worker: TrainingWorker | null = null;
  private readonly ledger: CheckpointLedger;
  private readonly log: RunLog;
  private readonly listeners = new Set<(e: TrainingEvent) => void>();
  private userStop: 'cancel' | 'interrupt' | null = null;
  private lastWorkerError: string | null = null;
  private ledgerQueue: Promise<unknown> = Promise.resolve();
  /** Sample videos being muxed, in order. */
  private sampleWrites: Promise<void> = Promise.resolve();
  private stateWriteAt = 0;
  private sampleInputs: SampleInputs | null = null;
  private readonly sampleRequests = new Map<string, { stage: number; step: number }>();
  private readonly sampledSteps = new Set<string>();
  private finished: Promise<RunState> | null = null;
  state: RunState;

  private constructor(
    readonly runDir: string,
    readonly spec: RunSpec,
    private readonly env: RunEnvironment,
    state: RunState,
  ) {
    this.runId = path.basename(runDir);
    this.ledger = new CheckpointLedger(runDir, spec.keepCheckpoints);
    this.log = new RunLog(runDir);
    this.state = state;
  }

  /** A new run in `runDir` (created; refused when it already holds a run). */
  static async create(runDir: string, spec: RunSpec, env: RunEnvironment): Promise<TrainingRun> {
    const dir = path.resolve(runDir);
    if (await fs.stat(path.join(dir, 'spec.json')).then(() => true, () => false)) {
      throw new StudioError(TrainingErrorCodes.runExists, `${dir} already holds a training run; resume it instead.`);
    }
    const dataset = path.resolve(spec.datasetDir);
    if (!(await fs.stat(path.join(dataset, 'dataset.json')).then((s) => s.isFile(), () => false))) {
      throw new StudioError(TrainingErrorCodes.datasetNotFound, `${dataset} is not a training dataset (no dataset.json); prepare one first.`);
    }
    await fs.mkdir(dir, { recursive: true });
    const now = new Date().toISOString();
    const first = spec.stages[0]!;
    const run = new TrainingRun(dir, { ...spec, datasetDir: dataset, basePack: spec.basePack ? path.resolve(spec.basePack) : null }, env, {
      runId: path.basename(dir),
      runDir: dir,
      name: spec.name,
      status: 'starting',
      stageIndex: 0,
      stage: first.stage,
      step: 0,
      totalSteps: first.steps,
      etaSec: null,
      stepsPerSec: null,
      lastCheckpoint: null,
      autoResumes: 0,
      message: 'Starting the training worker.',
      estimate: null,
      exportedPack: null,
      startedAt: now,
      updatedAt: now,
    });
    await writeSpec(dir, run.spec);
    await writeState(dir, run.state);
    return run;
  }

  /** A stopped, interrupted or crashed run continued from disk. `steps` raises the last stage's total. */
  static reopen(runDir: string, spec: RunSpec, state: RunState, env: RunEnvironment, steps?: number): TrainingRun {
    const stages = spec.stages.map((s, i) => (steps !== undefined && i === spec.stages.length - 1 ? { ...s, steps } : s));
    return new TrainingRun(runDir, { ...spec, stages }, env, { ...state, status: 'resuming', message: 'Resuming from the last good checkpoint.', autoResumes: 0 });
  }

  on(fn: (e: TrainingEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Checks Python, then trains in the background; resolves once the run is under way (or rejects early). */
  async start(): Promise<RunState> {
    if (this.finished) return this.state;
    try {
      await checkPython(this.env.pythonPath);
      if (this.spec.sample) this.sampleInputs = await prepareSampleInputs(this.runDir, this.spec.sample, this.spec.datasetDir, this.env.media);
    } catch (error) {
      this.update({ status: 'failed', message: (error as Error).message }, true);
      throw error;
    }
    if (this.spec.sample) {
      // Beats within the preview segment come from the same detection the dataset uses.
      this.note('info', `Preview samples every ${this.spec.sample.everySteps} steps on ${path.basename(this.spec.sample.referenceImage)} + ${path.basename(this.spec.sample.audioPath)}.`);
    }
    this.log.write({ source: 'studio', note: 'run started', spec: this.spec });
    this.finished = this.loop();
    return this.state;
  }

  /** Resolves with the final state when the run has ended (completed, cancelled, failed or interrupted). */
  whenFinished(): Promise<RunState> {
    return this.finished ?? Promise.resolve(this.state);
  }

  get active(): boolean {
    return this.finished !== null && !isTerminal(this.state.status);
  }

  get workerPid(): number | null {
    return this.worker?.pid ?? null;
  }

  async pause(): Promise<RunState> {
    if (!this.worker?.running || this.state.status !== 'training') throw new StudioError(TrainingErrorCodes.runNotActive, `Run ${this.runId} is not training (it is ${this.state.status}).`);
    await this.worker.send({ cmd: 'pause' });
    this.update({ message: 'Pausing at the next step (a checkpoint is written).' });
    return this.state;
  }

  async resume(): Promise<RunState> {
    if (!this.worker?.running || this.state.status !== 'paused') throw new StudioError(TrainingErrorCodes.runNotActive, `Run ${this.runId} is not paused (it is ${this.state.status}).`);
    await this.worker.send({ cmd: 'resume' });
    return this.state;
  }

  /** Cancels at the next step boundary (the worker checkpoints); it is stopped by force after CANCEL_WAIT_MS. Always settles. */
  async cancel(): Promise<RunState> {
    if (!this.active) return this.state;
    this.userStop = 'cancel';
    this.update({ message: 'Cancelling at the next step.' });
    const worker = this.worker;
    if (worker?.running) {
      // The worker checkpoints when it stops, so a cancelled run can still be resumed or exported.
      await worker.send({ cmd: 'cancel' }).catch((e: Error) => this.note('warning', `Cancel: ${e.message}`));
      const timer = setTimeout(() => void worker.stop(this.stopWaitMs()), CANCEL_WAIT_MS);
      void this.whenFinished().finally(() => clearTimeout(timer));
    }
    return this.state;
  }

  /** Stops the run so that it can be resumed later (studio closing): the worker checkpoints and exits. */
  async interrupt(): Promise<RunState> {
    if (!this.active) return this.state;
    this.userStop = 'interrupt';
    await this.worker?.stop(this.stopWaitMs());
    return this.whenFinished();
  }

  /** One measured step plus a checkpoint write (PROTOCOL.md's advice for the SIGTERM grace). */
  private stopWaitMs(): number {
    const stepSec = this.state.stepsPerSec ? 1 / this.state.stepsPerSec : 0;
    return Math.min(10 * 60_000, Math.round(10_000 + stepSec * 1000));
  }

  // -- the stage loop -----------------------------------------------------------------------------------

  private async loop(): Promise<RunState> {
    try {
      for (let i = this.state.stageIndex; i < this.spec.stages.length; i++) {
        const stage = this.spec.stages[i]!;
        if (i !== this.state.stageIndex) this.update({ stageIndex: i, stage: stage.stage, step: 0, totalSteps: stage.steps }, true);
        else this.update({ stage: stage.stage, totalSteps: stage.steps });
        const outcome = await this.runStage(i);
        if (outcome !== 'completed') await this.ledgerQueue.catch(() => {});
        if (outcome === 'cancelled') {
          this.update({ status: 'cancelled', etaSec: null, message: `Cancelled at step ${this.state.step}.` }, true);
          return this.state;
        }
        if (outcome === 'interrupted') {
          this.update({ status: 'interrupted', etaSec: null, message: `Stopped at step ${this.state.step}; resume continues from the last checkpoint.` }, true);
          return this.state;
        }
      }
      await this.ledgerQueue.catch(() => {});
      this.update({ status: 'completed', etaSec: null, message: `Finished: ${this.state.step} steps of stage ${this.state.stage}.` }, true);
    } catch (error) {
      await this.ledgerQueue.catch(() => {});
      this.note('error', (error as Error).message);
      this.update({ status: 'failed', etaSec: null, message: (error as Error).message.slice(0, 1000) }, true);
    } finally {
      await this.ledgerQueue.catch(() => {});
      await this.worker?.stop();
      this.worker = null;
      this.log.write({ source: 'studio', note: 'run ended', status: this.state.status, step: this.state.step });
    }
    return this.state;
  }

  private async runStage(index: number): Promise<Outcome> {
    const dir = stageDir(this.runDir, this.spec, index);
    for (;;) {
      if (this.userStop === 'cancel') return 'cancelled';
      if (this.userStop === 'interrupt') return 'interrupted';
      const command = await stageCommand(this.spec, index, dir, this.ledger, { note: (level, m) => this.note(level, m), update: (patch) => this.update(patch) });
      if (!command) return 'completed';
      const worker = await this.ensureWorker();
      const ended = this.waitStageEnd(worker);
      try {
        await worker.send(command);
        this.update({ status: 'training', message: command.cmd === 'resume' ? `Resumed from step ${this.state.step}.` : `Training stage ${this.spec.stages[index]!.stage}.` }, true);
      } catch (error) {
        if (worker.running) throw error; // rejected by a live worker: a real problem with the request
      }
      const end = await ended;
      if (end.kind === 'done') {
        if (end.status === 'completed') {
          await this.ledgerQueue.catch(() => {});
          await this.finalSample(index);
          return 'completed';
        }
        if (end.status === 'cancelled') return 'cancelled';
        if (end.status === 'terminated') return this.userStop === 'cancel' ? 'cancelled' : 'interrupted';
        throw new StudioError(TrainingErrorCodes.workerFailed, this.lastWorkerError ?? 'The training job failed.');
      }
      // The worker died or hung under us.
      if (end.kind === 'hung') {
        this.note('warning', `The worker sent nothing for ${end.silentMs / 1000} s (hung); killing it.`);
        await worker.kill();
      }
      this.worker = null;
      if (this.userStop === 'cancel') return 'cancelled';
      if (this.userStop === 'interrupt') return 'interrupted';
      const why = end.kind === 'exit' ? (end.exit.signal ?? `exit code ${end.exit.code}`) : 'no heartbeat';
      if (this.state.autoResumes >= MAX_AUTO_RESUMES) {
        throw new StudioError(TrainingErrorCodes.workerFailed, `The training worker stopped unexpectedly (${why}) ${this.state.autoResumes + 1} times; giving up. ${this.lastWorkerError ?? ''}`.trim());
      }
      this.note('warning', `The training worker stopped unexpectedly (${why}); resuming from the last good checkpoint.`);
      this.update({ status: 'resuming', autoResumes: this.state.autoResumes + 1, message: `Worker stopped (${why}); resuming.` }, true);
      await this.ledgerQueue.catch(() => {});
    }
  }

  /** `train` for a fresh stage, `resume` from the newest verified checkpoint, or null when the stage is done. */
  private async ensureWorker(): Promise<TrainingWorker> {
    if (this.worker?.running) return this.worker;
    const worker = new TrainingWorker({
      pythonPath: this.env.pythonPath,
      modelsDir: this.env.modelsDir,
      heartbeatTimeoutMs: this.env.heartbeatTimeoutMs,
      log: (line, level) => this.log.write({ source: 'stderr', level, line }),
    });
    worker.onEvent((e) => this.onWorkerEvent(e));
    this.worker = worker;
    const hello = await worker.start();
    this.log.write({ source: 'studio', note: 'worker started', pid: hello.pid, torch: hello.torchVersion, python: hello.pythonVersion, device: hello.device });
    this.note('info', `Worker ready: Python ${hello.pythonVersion}, torch ${hello.torchVersion}, ${hello.device} (${hello.deviceName}).`);
    return worker;
  }

  private waitStageEnd(worker: TrainingWorker): Promise<StageEnd> {
    return new Promise<StageEnd>((resolve) => {
      const offs: (() => void)[] = [];
      const finish = (end: StageEnd) => {
        offs.forEach((off) => off());
        resolve(end);
      };
      offs.push(
        worker.onEvent((e) => {
          if (e.type === 'done' && (e.cmd === 'train' || e.cmd === 'resume')) finish({ kind: 'done', status: e.status });
        }),
        worker.onExit((exit) => finish({ kind: 'exit', exit })),
        worker.onHung((silentMs) => finish({ kind: 'hung', silentMs })),
      );
    });
  }

  // -- worker events --------------------------------------------------------------------------------------

  private onWorkerEvent(e: WorkerEvent): void {
    if (e.type !== 'heartbeat') this.log.write({ source: 'worker', event: e });
    switch (e.type) {
      case 'loss': {
        const point: LossPoint = { stage: e.stage, step: e.step, loss: e.loss, lr: e.lr };
        this.emit({ kind: 'loss', runId: this.runId, point });
        break;
      }
      case 'progress':
        this.onProgress(e);
        break;
      case 'checkpoint': {
        if (!e.path) break;
        const info = { step: e.step, stageIndex: this.state.stageIndex, reason: e.reason };
        let recorded: Promise<unknown>;
        try {
          recorded = this.ledger.snapshot(e.path, info); // links synchronously, before the worker moves on
        } catch (error) {
          recorded = Promise.reject(error);
        }
        this.ledgerQueue = this.ledgerQueue
          .then(() => recorded)
          .then(
            (entry) => this.update({ lastCheckpoint: path.join(this.runDir, (entry as { path: string }).path) }),
            (error: Error) => this.note('warning', `Could not keep checkpoint of step ${e.step}: ${error.message}`),
          );
        break;
      }
      case 'estimate':
        this.update({ estimate: workerEstimate(e, this.state.totalSteps) }, true);
        break;
      case 'paused':
        this.update({ status: 'paused', step: e.step, etaSec: null, message: `Paused at step ${e.step}.` }, true);
        break;
      case 'resumed':
        this.update({ status: 'training', message: `Resumed at step ${e.step}.` }, true);
        break;
      case 'sample':
        this.onSample(e);
        break;
      case 'error':
        this.lastWorkerError = `${e.message} (${e.code})`;
        if (e.id && this.sampleRequests.has(e.id)) this.sampleRequests.delete(e.id);
        this.note(e.fatal ? 'error' : 'warning', `Worker: ${e.message} (${e.code})`);
        break;
      default:
        break;
    }
  }

  private onProgress(e: WorkerEventOf<'progress'>): void {
    const laterSteps = this.spec.stages.slice(this.state.stageIndex + 1).reduce((n, s) => n + s.steps, 0);
    const etaSec = e.etaSec !== null && e.stepsPerSec ? e.etaSec + laterSteps / e.stepsPerSec : e.etaSec;
    const status = this.state.status === 'paused' ? 'paused' : 'training';
    this.update({ status, step: e.step, totalSteps: e.totalSteps, etaSec, stepsPerSec: e.stepsPerSec, message: `Stage ${e.stage}: step ${e.step} of ${e.totalSteps}.` });
    const sample = this.spec.sample;
    const key = `${e.stage}:${e.step}`;
    if (sample && this.sampleInputs && e.step % sample.everySteps === 0 && !this.sampledSteps.has(key) && !this.userStop) {
      this.sampledSteps.add(key);
      void this.requestSample(e.stage, e.step);
    }
  }

  private async requestSample(stage: number, step: number, checkpoint?: string): Promise<string | null> {
    const sample = this.spec.sample!;
    const inputs = this.sampleInputs!;
    const worker = this.worker;
    if (!worker?.running) return null;
    try {
      const id = await worker.send({
        ...(checkpoint ? { checkpoint } : {}),
        cmd: 'sample',
        outDir: path.join(this.runDir, SAMPLES_DIR, sampleDirName(stage, step)),
        referenceImage: inputs.imagePath,
        audioPath: inputs.audioPath,
        prompt: sample.prompt,
        beatTimesSec: inputs.segmentBeatsSec,
        audioStartSec: sample.audioStartSec,
        numInferenceSteps: sample.numInferenceSteps,
        seed: sample.seed,
      });
      this.sampleRequests.set(id, { stage, step });
      return id;
    } catch (error) {
      this.note('warning', `Preview sample at step ${step} was not taken: ${(error as Error).message}`);
      return null;
    }
  }

  /**
   * The worker serves in-run samples at step boundaries, so a request near the end of a stage can be left
   * unserved. After a completed stage, one sample of the final weights is rendered with the idle worker.
   */
  private async finalSample(index: number): Promise<void> {
    const stage = this.spec.stages[index]!;
    const worker = this.worker;
    if (!this.spec.sample || !this.sampleInputs || !worker?.running) return;
    this.sampleRequests.clear();
    const finished = new Promise<void>((resolve) => {
      const timer = setTimeout(finish, FINAL_SAMPLE_TIMEOUT_MS);
      const off = worker.onEvent((e) => {
        if (e.type === 'done' && e.cmd === 'sample') finish();
      });
      const offExit = worker.onExit(finish);
      function finish() {
        clearTimeout(timer);
        off();
        offExit();
        resolve();
      }
    });
    const id = await this.requestSample(stage.stage, stage.steps, path.join(stageDir(this.runDir, this.spec, index), WORKER_CHECKPOINT_FILE));
    if (id) await finished;
    await this.sampleWrites;
  }

  private onSample(e: WorkerEventOf<'sample'>): void {
    this.sampleWrites = this.sampleWrites.then(() => this.storeSample(e));
  }

  private async storeSample(e: WorkerEventOf<'sample'>): Promise<void> {
    const request = e.id ? this.sampleRequests.get(e.id) : undefined;
    if (e.id) this.sampleRequests.delete(e.id);
    const stage = request?.stage ?? this.state.stage;
    const step = e.step ?? request?.step ?? null;
    let videoPath: string | null = path.join(e.dir, SAMPLE_VIDEO);
    try {
      await muxSampleVideo(this.env.media, e, videoPath);
    } catch (error) {
      this.note('warning', `Sample video at step ${step} could not be made: ${(error as Error).message}`);
      videoPath = null;
    }
    const sample: RunSample = {
      stage,
      step,
      videoPath: videoPath ? path.relative(this.runDir, videoPath).split(path.sep).join('/') : null,
      dir: e.dir,
      prompt: e.prompt,
      frames: e.frames.length,
    };
    this.log.write({ source: 'studio', sample });
    this.emit({ kind: 'sample', runId: this.runId, sample });
  }

  // -- state ------------------------------------------------------------------------------------------------

  private update(patch: Partial<RunState>, persistNow = false): void {
    this.state = { ...this.state, ...patch, updatedAt: new Date().toISOString() };
    this.emit({ kind: 'state', runId: this.runId, state: this.state });
    const now = Date.now();
    if (persistNow || now - this.stateWriteAt >= STATE_WRITE_INTERVAL_MS) {
      this.stateWriteAt = now;
      void writeState(this.runDir, this.state).catch(() => {});
    }
  }

  private note(level: 'info' | 'warning' | 'error', message: string): void {
    this.log.write({ source: 'studio', level, note: message });
    this.emit({ kind: 'log', runId: this.runId, level, message: message.slice(0, 2000) });
  }

  private emit(event: TrainingEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(event);
      } catch {
        // A listener's failure (a closed window) must not stop training.
      }
    }
  }
}

function workerEstimate(e: WorkerEventOf<'estimate'>, totalSteps: number): RunEstimate {
  return {
    source: 'worker',
    parameters: Math.round(e.parameters),
    totalBytes: e.totalBytes,
    secondsPerStep: e.secondsPerStep,
    totalSec: e.secondsPerStep !== null ? e.secondsPerStep * totalSteps : null,
    summary: e.summary.slice(0, 500),
  };
}

