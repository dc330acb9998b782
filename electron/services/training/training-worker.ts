/**
 * The one owner of a Python training worker process (`python -m musedance_models.worker`, PROTOCOL.md).
 * `start()` settles exactly once (hello received, or a StudioError: not found, exited, timed out);
 * `stop()` always settles: `shutdown` + stdin EOF, SIGTERM after SHUTDOWN_WAIT_MS, SIGKILL after STOP_GRACE_MS,
 * and it gives up waiting KILL_WAIT_MS after that. A heartbeat watchdog reports a worker that stopped
 * talking (hung or frozen) so the supervisor can kill and resume it. Nothing else holds the pid.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { StudioError } from '../../shared/result';
import { TrainingErrorCodes } from '../../shared/domain/training';
import { parseWorkerLine, PROTOCOL_VERSION, type HelloEvent, type WorkerCommand, type WorkerEvent } from './worker-protocol';

/** Python start + the worker's torch import before its greeting. */
export const HELLO_TIMEOUT_MS = 90_000;
/** A command is answered by `ack`/`error` from the worker's reader thread, independent of training. */
export const COMMAND_ACK_TIMEOUT_MS = 15_000;
/** Heartbeat period asked of the worker. */
export const HEARTBEAT_SEC = 2;
/** No line at all from the worker for this long = hung (several missed heartbeats). */
export const HEARTBEAT_TIMEOUT_MS = 20_000;
/** After `shutdown`, how long the worker gets (one step + checkpoint write) before SIGTERM, unless told more. */
export const SHUTDOWN_WAIT_MS = 10_000;
/** After SIGTERM, how long before SIGKILL. */
export const STOP_GRACE_MS = 5_000;
/** After SIGKILL, how long stop() waits for the exit before settling anyway. */
export const KILL_WAIT_MS = 3_000;
const STDERR_TAIL_CHARS = 8_000;

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when stop() asked for it. */
  requested: boolean;
  stderrTail: string;
}

export interface TrainingWorkerOptions {
  pythonPath: string;
  /** The native-models folder (holds the `musedance_models` package). */
  modelsDir: string;
  heartbeatSec?: number;
  heartbeatTimeoutMs?: number;
  /** stderr lines and protocol problems, for the run log. */
  log?(line: string, level: 'info' | 'warning'): void;
}

type Listener<T> = (value: T) => void;

export class TrainingWorker {
  private child: ChildProcessWithoutNullStreams | null = null;
  private state: 'idle' | 'starting' | 'running' | 'exited' = 'idle';
  private exitPromise: Promise<WorkerExit> | null = null;
  private stopRequested = false;
  private watchdog: NodeJS.Timeout | null = null;
  private nextId = 1;
  private stderrTail = '';
  private readonly eventListeners = new Set<Listener<WorkerEvent>>();
  private readonly exitListeners = new Set<Listener<WorkerExit>>();
  private readonly hungListeners = new Set<Listener<number>>();
  private readonly pending = new Map<string, { resolve(): void; reject(e: StudioError): void; timer: NodeJS.Timeout }>();
  hello: HelloEvent | null = null;

  constructor(private readonly options: TrainingWorkerOptions) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }
  get running(): boolean {
    return this.state === 'running';
  }

  onEvent(fn: Listener<WorkerEvent>): () => void {
    this.eventListeners.add(fn);
    return () => this.eventListeners.delete(fn);
  }
  onExit(fn: Listener<WorkerExit>): () => void {
    this.exitListeners.add(fn);
    return () => this.exitListeners.delete(fn);
  }
  /** Called with the silent milliseconds when the heartbeat stops. */
  onHung(fn: Listener<number>): () => void {
    this.hungListeners.add(fn);
    return () => this.hungListeners.delete(fn);
  }

  start(signal?: AbortSignal): Promise<HelloEvent> {
    if (this.state !== 'idle') return Promise.reject(new Error('TrainingWorker.start() called twice'));
    this.state = 'starting';
    const { pythonPath, modelsDir } = this.options;
    const heartbeatSec = this.options.heartbeatSec ?? HEARTBEAT_SEC;
    return new Promise<HelloEvent>((resolve, reject) => {
      let settled = false;
      const settle = (error: StudioError | Error | null, hello?: HelloEvent) => {
        if (settled) return;
        settled = true;
        clearTimeout(helloTimer);
        signal?.removeEventListener('abort', onAbort);
        if (error) {
          void this.stop();
          reject(error);
        } else resolve(hello!);
      };
      const helloTimer = setTimeout(
        () => settle(new StudioError(TrainingErrorCodes.workerTimeout, `The training worker did not start within ${HELLO_TIMEOUT_MS / 1000} s. ${this.lastStderr()}`.trim())),
        HELLO_TIMEOUT_MS,
      );
      const onAbort = () => settle(new StudioError('CANCELLED', 'Cancelled.'));
      signal?.addEventListener('abort', onAbort, { once: true });

      const env = { ...process.env, PYTHONUNBUFFERED: '1', PYTHONPATH: [modelsDir, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter) };
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(pythonPath, ['-u', '-m', 'musedance_models.worker', '--heartbeat-sec', String(heartbeatSec)], { cwd: modelsDir, env, stdio: 'pipe', windowsHide: true });
      } catch (error) {
        this.state = 'exited';
        return settle(new StudioError(TrainingErrorCodes.pythonMissing, `Cannot start ${pythonPath}: ${(error as Error).message}`));
      }
      this.child = child;
      this.exitPromise = new Promise<WorkerExit>((resolveExit) => {
        child.once('error', (error: NodeJS.ErrnoException) => {
          const message = error.code === 'ENOENT' ? `Python was not found at ${pythonPath}; set MUSEDANCE_PYTHON.` : `The training worker failed to start: ${error.message}`;
          settle(new StudioError(TrainingErrorCodes.pythonMissing, message));
          if (this.state !== 'exited') this.onChildExit(null, null, resolveExit);
        });
        child.once('exit', (code, sig) => {
          settle(new StudioError(TrainingErrorCodes.workerFailed, `The training worker exited before it was ready (${sig ?? `code ${code}`}). ${this.lastStderr()}`.trim()));
          if (this.state !== 'exited') this.onChildExit(code, sig, resolveExit);
        });
      });
      child.stdin.on('error', () => {}); // EPIPE after the worker died: the exit handler reports it
      readline.createInterface({ input: child.stderr }).on('line', (line) => {
        this.stderrTail = (this.stderrTail + '\n' + line).slice(-STDERR_TAIL_CHARS);
        this.options.log?.(line, 'info');
      });
      readline.createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.trim()) return;
        this.armWatchdog();
        const parsed = parseWorkerLine(line);
        if ('problem' in parsed) return this.options.log?.(`worker protocol: ${parsed.problem}`, 'warning');
        const event = parsed.event;
        if (event.type === 'hello') {
          if (event.protocol !== PROTOCOL_VERSION) {
            return settle(new StudioError(TrainingErrorCodes.workerFailed, `The training worker speaks protocol ${event.protocol}; the studio needs ${PROTOCOL_VERSION}.`));
          }
          this.hello = event;
          this.state = 'running';
          settle(null, event);
        }
        this.answerPending(event);
        for (const fn of this.eventListeners) fn(event);
      });
    });
  }

  /** Sends a command; resolves with its id once the worker acknowledged it, rejects with the worker's error. */
  send(command: WorkerCommand, timeoutMs = COMMAND_ACK_TIMEOUT_MS): Promise<string> {
    const child = this.child;
    if (!child || this.state !== 'running') return Promise.reject(new StudioError(TrainingErrorCodes.workerFailed, 'The training worker is not running.'));
    const id = `c${this.nextId++}`;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new StudioError(TrainingErrorCodes.workerTimeout, `The training worker did not answer "${command.cmd}" within ${timeoutMs / 1000} s.`));
      }, timeoutMs);
      this.pending.set(id, { resolve: () => resolve(id), reject, timer });
      child.stdin.write(JSON.stringify({ id, ...command }) + '\n');
    });
  }

  /**
   * Graceful stop (shutdown -> SIGTERM -> SIGKILL). Always settles; a no-op when nothing runs. `shutdownWaitMs`
   * should cover one training step plus a checkpoint write (PROTOCOL.md: 1 / stepsPerSec + 10 s).
   */
  async stop(shutdownWaitMs = SHUTDOWN_WAIT_MS): Promise<void> {
    const child = this.child;
    if (!child || !this.exitPromise || this.state === 'exited') return;
    if (this.stopRequested) return this.waitExit(shutdownWaitMs + STOP_GRACE_MS + KILL_WAIT_MS);
    this.stopRequested = true;
    this.clearWatchdog();
    if (this.state === 'running') child.stdin.write(JSON.stringify({ id: 'shutdown', cmd: 'shutdown' }) + '\n');
    child.stdin.end();
    const termAfterMs = this.state === 'running' ? shutdownWaitMs : 0;
    const term = setTimeout(() => child.kill('SIGTERM'), termAfterMs);
    const kill = setTimeout(() => child.kill('SIGKILL'), termAfterMs + STOP_GRACE_MS);
    await this.waitExit(termAfterMs + STOP_GRACE_MS + KILL_WAIT_MS);
    clearTimeout(term);
    clearTimeout(kill);
  }

  /** Immediate SIGKILL (a hung worker); settles when the process is gone or after KILL_WAIT_MS. */
  async kill(): Promise<void> {
    if (!this.child || this.state === 'exited') return;
    this.child.kill('SIGKILL');
    await this.waitExit(KILL_WAIT_MS);
  }

  private async waitExit(limitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exitPromise, new Promise((r) => (timer = setTimeout(r, limitMs)))]);
    clearTimeout(timer);
  }

  private onChildExit(code: number | null, sig: NodeJS.Signals | null, resolveExit: (e: WorkerExit) => void): void {
    this.state = 'exited';
    this.clearWatchdog();
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new StudioError(TrainingErrorCodes.workerFailed, `The training worker exited (${sig ?? `code ${code}`}).`));
    }
    this.pending.clear();
    const exit: WorkerExit = { code, signal: sig, requested: this.stopRequested, stderrTail: this.stderrTail };
    resolveExit(exit);
    for (const fn of this.exitListeners) fn(exit);
  }

  private answerPending(event: WorkerEvent): void {
    if (event.type !== 'ack' && event.type !== 'error') return;
    const id = event.id;
    if (!id) return;
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (event.type === 'ack') p.resolve();
    else p.reject(new StudioError(TrainingErrorCodes.workerRejected, `${event.message} (${event.code})`));
  }

  private armWatchdog(): void {
    if (this.stopRequested) return;
    this.clearWatchdog();
    const limitMs = this.options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS;
    this.watchdog = setTimeout(() => {
      for (const fn of this.hungListeners) fn(limitMs);
    }, limitMs);
  }

  private clearWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
  }

  private lastStderr(): string {
    const lines = this.stderrTail.trim().split('\n').filter(Boolean);
    return lines.length ? `Last worker output: ${lines.slice(-2).join(' | ').slice(0, 400)}` : '';
  }
}
