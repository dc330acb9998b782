/**
 * ffprobe as JSON. fluent-ffmpeg's own `ffprobe()` parses the flat text format and folds the error into one
 * string; probing needs ffprobe's structured `error` object and packet listings, so it runs ffprobe directly
 * (still the configured binary, with a hard timeout and the caller's AbortSignal).
 */
import { execFile } from 'node:child_process';
import { StudioError } from '../../shared/result';
import { MediaErrorCodes } from '../../shared/domain/media';

/** ffprobe reads headers and a few packets; a healthy file answers in well under a second. */
export const FFPROBE_TIMEOUT_MS = 30_000;
/** Largest picture any decoder inside ffprobe/ffmpeg may allocate (decompression-bomb guard, pixels). */
export const MAX_DECODE_PIXELS = 8192 * 8192;

export interface RawStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  channel_layout?: string;
  avg_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
}

export interface RawProbe {
  streams?: RawStream[];
  format?: { format_name?: string; duration?: string; size?: string; tags?: Record<string, string> };
  error?: { code: number; string: string };
  packets?: { pts_time?: string; duration_time?: string }[];
}

export interface FfprobeOutput {
  data: RawProbe;
  stderr: string;
  exitCode: number;
}

export function runFfprobe(ffprobePath: string, args: string[], signal?: AbortSignal): Promise<FfprobeOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      ffprobePath,
      ['-hide_banner', '-max_pixels', String(MAX_DECODE_PIXELS), '-of', 'json', ...args],
      { timeout: FFPROBE_TIMEOUT_MS, signal, maxBuffer: 64 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        const e = error as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
        if (e?.code === 'ENOENT') {
          reject(new StudioError(MediaErrorCodes.ffmpegMissing, `ffprobe was not found (${ffprobePath}); install ffmpeg (Debian: apt install ffmpeg) or set MUSEDANCE_FFPROBE.`));
          return;
        }
        if (e?.name === 'AbortError') {
          reject(e);
          return;
        }
        if (e?.killed) {
          reject(new StudioError(MediaErrorCodes.corrupt, `ffprobe did not finish within ${FFPROBE_TIMEOUT_MS / 1000} s; the file may be damaged.`));
          return;
        }
        let data: RawProbe = {};
        try {
          data = JSON.parse(String(stdout) || '{}') as RawProbe;
        } catch {
          data = {};
        }
        resolve({ data, stderr: String(stderr), exitCode: typeof e?.code === 'number' ? e.code : e ? 1 : 0 });
      },
    );
  });
}
