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
