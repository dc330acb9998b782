import { ErrorCodes, StudioError } from '../../shared/result';

/** What every media function needs: the ffmpeg/ffprobe binaries, a cancel signal and a progress callback. */
export interface MediaTools {
  ffmpegPath: string;
  ffprobePath: string;
}

export interface MediaJobOptions {
  signal?: AbortSignal;
  /** fraction 0..1 (null when unknown) and a short message for the progress bar. */
  onProgress?(fraction: number | null, message: string): void;
}

/** Clamps an ffmpeg out-time into a progress fraction of an expected duration. */
export const fractionOf = (doneSec: number, totalSec: number): number | null =>
  totalSec > 0 && Number.isFinite(doneSec) ? Math.min(1, Math.max(0, doneSec / totalSec)) : null;

/**
 * Runs a media job so that a cancel always surfaces as CANCELLED, whichever step was interrupted (hashing,
 * ffprobe, ffmpeg): direct Node callers get the same error value the IPC registry produces.
 */
export async function cancellable<T>(signal: AbortSignal | undefined, label: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (signal?.aborted) throw new StudioError(ErrorCodes.cancelled, `${label} cancelled.`);
    throw error;
  }
}
