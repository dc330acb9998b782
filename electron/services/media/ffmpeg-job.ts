/**
 * The one owner of an ffmpeg child process (through fluent-ffmpeg). `start()` settles exactly once: resolved
 * when ffmpeg exits cleanly, rejected with a StudioError otherwise (failure, cancel, stall). `stop()` always
 * settles: SIGTERM, then SIGKILL after STOP_GRACE_MS, and it gives up waiting after KILL_WAIT_MS.
 * Nothing else in the studio holds an ffmpeg pid.
 */
import fs from 'node:fs';
import path from 'node:path';
import ffmpeg, { type FfmpegCommand } from 'fluent-ffmpeg';
import { ErrorCodes, StudioError } from '../../shared/result';
import { MediaErrorCodes } from '../../shared/domain/media';

/** Time a stopped ffmpeg gets to exit on SIGTERM before it is killed. */
export const STOP_GRACE_MS = 2_000;
/** After SIGKILL, how long stop() waits for the exit event before settling anyway. */
export const KILL_WAIT_MS = 3_000;
/** ffmpeg printing nothing (no progress line) for this long is considered hung and is killed. */
export const STALL_TIMEOUT_MS = 120_000;

export interface FfmpegProgress {
  /** Output time reached, seconds. */
  outTimeSec: number;
  /** Frames written so far (video outputs). */
  frames: number;
}

export interface FfmpegJobOptions {
  /** What the job does, for messages ("export MP4"). */
  label: string;
  signal?: AbortSignal;
  onProgress?(progress: FfmpegProgress): void;
  stallTimeoutMs?: number;
}

const commandBinaries = new WeakMap<FfmpegCommand, { ffmpegPath: string; ffprobePath: string }>();

/** A fluent-ffmpeg command bound to the configured binaries. */
export function createFfmpegCommand(paths: { ffmpegPath: string; ffprobePath: string }): FfmpegCommand {
  const command = ffmpeg();
  commandBinaries.set(command, { ffmpegPath: paths.ffmpegPath, ffprobePath: paths.ffprobePath });
  command.setFfmpegPath(paths.ffmpegPath);
  command.setFfprobePath(paths.ffprobePath);
  // Never read the terminal; no banner noise in the error tail.
  command.addOption('-nostdin');
  command.addOption('-hide_banner');
  return command;
}

/**
 * True when `program` (a path, or a name looked up on PATH) is an executable file. Checked before spawning:
 * fluent-ffmpeg crashes on a spawn ENOENT instead of reporting it.
 */
export function programExists(program: string): boolean {
  const candidates = program.includes('/') || program.includes('\\')
    ? [program]
    : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).flatMap((dir) => (process.platform === 'win32' ? [path.join(dir, `${program}.exe`), path.join(dir, program)] : [path.join(dir, program)]));
  return candidates.some((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

const TIME_RE = /time=\s*(-?\d+):(\d\d):(\d\d(?:\.\d+)?)/;
const FRAME_RE = /frame=\s*(\d+)/;

/** Lines of ffmpeg's stderr worth showing a user: the last error-looking ones. */
function errorTail(stderr: string): string {
  const lines = stderr
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('frame=') && !l.startsWith('size=') && !/^\s*(Stream|Input|Output|Duration|Metadata|encoder|Side data|major_brand|minor_version|compatible_brands|title|comment)\b/.test(l));
  return lines.slice(-2).join(' | ').slice(0, 400);
}

export class FfmpegJob {
  private state: 'idle' | 'running' | 'done' = 'idle';
  private stopRequested = false;
  private stopReason: 'cancel' | 'stall' | 'stop' | null = null;
  private exited: Promise<void> | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private stderrTail = '';

  constructor(
    private readonly command: FfmpegCommand,
    private readonly options: FfmpegJobOptions,
  ) {}

  /** Runs ffmpeg to the end. Rejects with CANCELLED when the signal aborts (the process is gone by then). */
  start(): Promise<void> {
    if (this.state !== 'idle') return Promise.reject(new Error('FfmpegJob.start() called twice'));
    this.state = 'running';
    const { signal, onProgress, label } = this.options;
    if (signal?.aborted) {
      this.state = 'done';
      return Promise.reject(new StudioError(ErrorCodes.cancelled, `${label} cancelled.`));
    }
    const binary = commandBinaries.get(this.command)?.ffmpegPath ?? 'ffmpeg';
    if (!programExists(binary)) {
      this.state = 'done';
      return Promise.reject(new StudioError(MediaErrorCodes.ffmpegMissing, `ffmpeg was not found (${binary}); install it (Debian: apt install ffmpeg) or set MUSEDANCE_FFMPEG.`));
    }
    const onAbort = () => {
      this.stopReason ??= 'cancel';
      void this.stop();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    this.exited = new Promise<void>((resolve, reject) => {
      const finish = (error: StudioError | null) => {
        if (this.state === 'done') return;
        this.state = 'done';
        this.clearTimers();
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      this.command.on('start', () => {
        // stop() may have been called before fluent-ffmpeg spawned the process.
        if (this.stopRequested) this.command.kill('SIGKILL');
        this.armStallTimer();
      });
      this.command.on('stderr', (line: string) => {
        this.armStallTimer();
        this.stderrTail = (this.stderrTail + '\n' + line).slice(-4000);
        if (!onProgress) return;
        const t = TIME_RE.exec(line);
        if (!t) return;
        const outTimeSec = Number(t[1]) * 3600 + Number(t[2]) * 60 + Number(t[3]);
        const frames = Number(FRAME_RE.exec(line)?.[1] ?? 0);
        if (Number.isFinite(outTimeSec) && outTimeSec >= 0) onProgress({ outTimeSec, frames });
      });
      this.command.on('end', () => finish(this.stopReason ? this.stoppedError() : null));
      this.command.on('error', (error: Error) => {
        if (this.stopReason) return finish(this.stoppedError());
        if (/Cannot find ffmpeg|ENOENT/.test(error.message)) {
          return finish(new StudioError(MediaErrorCodes.ffmpegMissing, `ffmpeg was not found; install it (Debian: apt install ffmpeg) or set MUSEDANCE_FFMPEG.`));
        }
        const detail = errorTail(this.stderrTail) || error.message.split('\n')[0]!;
        finish(new StudioError(MediaErrorCodes.ffmpegFailed, `${label} failed: ${detail}`));
      });
    });
    // fluent-ffmpeg keeps the binary path in one module-wide cache; set it again right before this run.
    const paths = commandBinaries.get(this.command);
    if (paths) this.command.setFfmpegPath(paths.ffmpegPath).setFfprobePath(paths.ffprobePath);
    this.command.run();
    return this.exited;
  }

  /** Stops ffmpeg (graceful, then forced). Always settles; a no-op when it is not running. */
  async stop(): Promise<void> {
    this.stopReason ??= 'stop';
    if (this.state !== 'running' || !this.exited) return;
    if (this.stopRequested) return this.waitExit();
    this.stopRequested = true;
    this.command.kill('SIGTERM');
    this.killTimer = setTimeout(() => this.command.kill('SIGKILL'), STOP_GRACE_MS);
    return this.waitExit();
  }

  private waitExit(): Promise<void> {
    const exited = this.exited!.then(
      () => undefined,
      () => undefined,
    );
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STOP_GRACE_MS + KILL_WAIT_MS);
    });
    return Promise.race([exited, giveUp]).finally(() => clearTimeout(timer));
  }

  private stoppedError(): StudioError {
    const label = this.options.label;
    if (this.stopReason === 'stall') {
      const limitSec = (this.options.stallTimeoutMs ?? STALL_TIMEOUT_MS) / 1000;
      return new StudioError(MediaErrorCodes.ffmpegStalled, `${label} stopped: ffmpeg made no progress for ${limitSec} s.`);
    }
    return new StudioError(ErrorCodes.cancelled, `${label} cancelled.`);
  }

  private armStallTimer(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      this.stopReason ??= 'stall';
      void this.stop();
    }, this.options.stallTimeoutMs ?? STALL_TIMEOUT_MS);
  }

  private clearTimers(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    if (this.killTimer) clearTimeout(this.killTimer);
    this.stallTimer = this.killTimer = null;
  }
}

/** Runs one fluent-ffmpeg command to completion under an FfmpegJob. */
export function runFfmpeg(command: FfmpegCommand, options: FfmpegJobOptions): Promise<void> {
  return new FfmpegJob(command, options).start();
}
