/**
 * The one owner of a `python -m musedance_models.pack_build` child process. `run()` settles exactly once:
 * with the `done` event, or a StudioError (the builder's own `error` line, a crash with the last stderr lines,
 * a timeout, or CANCELLED). Cancel always works: the child runs in its own process group, gets SIGTERM, then
 * SIGKILL after CANCEL_GRACE_MS, and run() settles at the latest KILL_WAIT_MS after that even if the exit is
 * never seen. Nothing else holds the pid.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { ErrorCodes, StudioError } from '../../../shared/result';
import { parseBuildLine, type BuildEvent, type BuildEventOf } from './pack-build-protocol';

/** After SIGTERM on cancel, how long before SIGKILL. */
export const CANCEL_GRACE_MS = 5_000;
/** After SIGKILL, how long run() waits for the exit before settling anyway. */
export const KILL_WAIT_MS = 3_000;
const STDERR_TAIL_CHARS = 8_000;

export const PackBuildErrorCodes = {
  failed: 'PACK_BUILD_FAILED',
  timeout: 'PACK_BUILD_TIMEOUT',
  python: 'TRAINING_PYTHON_MISSING',
  sources: 'PACK_BUILD_SOURCES',
} as const;

export interface BuildProcessOptions {
  pythonPath: string;
  /** native-models folder (holds the `musedance_models` package). */
  modelsDir: string;
  args: string[];
  signal?: AbortSignal;
  timeoutMs: number;
  onEvent?(event: BuildEvent): void;
  log?(line: string): void;
}

const killGroup = (child: ChildProcessWithoutNullStreams, sig: NodeJS.Signals) => {
  try {
    if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, sig);
    else child.kill(sig);
  } catch {
    // already gone
  }
};

/** The builder's codes (WEIGHTS_IMPORT, SHAPE_MISMATCH, ...) as studio codes: PACK_BUILD_<code>. */
const builderCode = (code: string | undefined) => (!code ? PackBuildErrorCodes.failed : (code.startsWith('PACK_') ? code : `PACK_BUILD_${code}`).replace(/[^A-Z0-9_]/gi, '_').slice(0, 64));

export function runPackBuild(options: BuildProcessOptions): Promise<BuildEventOf<'done'>> {
  const { pythonPath, modelsDir, args, signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new StudioError(ErrorCodes.cancelled, 'Cancelled.'));
    let settled = false;
    let stderrTail = '';
    let builderError: BuildEventOf<'error'> | null = null;
    let done: BuildEventOf<'done'> | null = null;
    let child: ChildProcessWithoutNullStreams | undefined;
    const timers: NodeJS.Timeout[] = [];
    const lastStderr = () => {
      const lines = stderrTail.trim().split('\n').filter(Boolean);
      return lines.length ? ` Last output: ${lines.slice(-2).join(' | ').slice(0, 400)}` : '';
    };
    const settle = (error: StudioError | null) => {
      if (settled) return;
      settled = true;
      child?.stdin.end();
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(done!);
    };
    /** Stops the group; settles with `error` once it exited (or after the kill wait). */
    const stop = (error: StudioError) => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return settle(error);
      killGroup(c, 'SIGTERM');
      timers.push(setTimeout(() => killGroup(c, 'SIGKILL'), CANCEL_GRACE_MS));
      timers.push(setTimeout(() => settle(error), CANCEL_GRACE_MS + KILL_WAIT_MS));
      c.once('exit', () => settle(error));
    };
    const onAbort = () => stop(new StudioError(ErrorCodes.cancelled, 'Cancelled: the pack build was stopped.'));

    const env = { ...process.env, PYTHONUNBUFFERED: '1', PYTHONPATH: [modelsDir, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter) };
    let proc: ChildProcessWithoutNullStreams;
    try {
      proc = child = spawn(pythonPath, ['-u', '-m', 'musedance_models.pack_build', ...args, '--exit-on-stdin-eof'], { cwd: modelsDir, env, stdio: 'pipe', detached: process.platform !== 'win32', windowsHide: true });
    } catch (error) {
      return settle(new StudioError(PackBuildErrorCodes.python, `Cannot start ${pythonPath}: ${(error as Error).message}`));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    timers.push(setTimeout(() => stop(new StudioError(PackBuildErrorCodes.timeout, `The pack build did not finish within ${Math.round(options.timeoutMs / 60_000)} min.`)), options.timeoutMs));
    // stdin stays open and silent for the whole build: the builder treats its EOF (this process gone, however it
    // died) as a cancel, so a killed studio never leaves an orphan build running. A normal exit also kills it.
    proc.stdin.on('error', () => {});
    const killOnExit = () => killGroup(proc, 'SIGKILL');
    process.once('exit', killOnExit);
    proc.once('close', () => process.removeListener('exit', killOnExit));
    proc.once('error', (error: NodeJS.ErrnoException) => {
      settle(new StudioError(PackBuildErrorCodes.python, error.code === 'ENOENT' ? `Python was not found at ${pythonPath}; set MUSEDANCE_PYTHON.` : `The pack builder failed to start: ${error.message}`));
    });
    readline.createInterface({ input: proc.stderr }).on('line', (line) => {
      stderrTail = (stderrTail + '\n' + line).slice(-STDERR_TAIL_CHARS);
      options.log?.(line);
    });
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      if (!line.trim()) return;
      const parsed = parseBuildLine(line);
      if ('problem' in parsed) return options.log?.(`pack_build: ${parsed.problem}`);
      const e = parsed.event;
      if (e.type === 'error') builderError = e;
      if (e.type === 'done') done = e;
      options.onEvent?.(e);
    });
    // 'close' (not 'exit'): every stdout line has been read by then.
    proc.once('close', (code, sig) => {
      if (settled) return;
      if (code === 0 && done) return settle(null);
      if (builderError) return settle(new StudioError(builderCode(builderError.code), builderError.message));
      if (/No module named .?musedance_models.pack_build/.test(stderrTail)) return settle(new StudioError(PackBuildErrorCodes.failed, `This installation's native-models has no pack builder (musedance_models.pack_build) in ${modelsDir}.`));
      const why = sig === 'SIGKILL' ? 'it was killed (SIGKILL: out of memory?)' : sig ? `signal ${sig}` : `exit code ${code}`;
      settle(new StudioError(PackBuildErrorCodes.failed, `The pack builder stopped (${why}) without finishing.${lastStderr()}`));
    });
  });
}
