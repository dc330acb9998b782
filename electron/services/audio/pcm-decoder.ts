/**
 * Streamed decode of anything ffmpeg reads to mono float32 PCM at the analysis rate. ffmpeg downmixes and
 * resamples; we only ever hold one stdout chunk, so memory does not depend on the song's length.
 * One `PcmDecodeJob` owns one ffmpeg process: `run()` always settles (done, error, cancel or stall) and `stop()`
 * kills the process.
 */
import fs from 'node:fs';
import ffmpeg from 'fluent-ffmpeg';
import { ErrorCodes, StudioError } from '../../shared/result';
import { FORMAT_WHITELIST_ARGS } from '../media/index';

/** No stdout for this long means ffmpeg is stuck (e.g. a network path that never answers). */
export const DECODE_STALL_TIMEOUT_MS = 30_000;
const EMPTY = Buffer.alloc(0);

export const AudioErrorCodes = {
  notFound: 'AUDIO_NOT_FOUND',
  notAFile: 'AUDIO_NOT_A_FILE',
  unreadable: 'AUDIO_UNREADABLE',
  noAudioStream: 'AUDIO_NO_AUDIO_STREAM',
  stalled: 'AUDIO_DECODE_STALLED',
  ffmpegMissing: 'AUDIO_FFMPEG_MISSING',
} as const;

export interface DecodeOptions {
  ffmpegPath: string;
  sampleRate: number;
  signal?: AbortSignal;
  /** Called with each block of samples, in order; the array is only valid during the call. */
  onSamples(samples: Float32Array): void;
  /** Seconds decoded so far and the container's duration when ffmpeg reported one. */
  onProgress?(decodedSec: number, durationSec: number | null): void;
  stallTimeoutMs?: number;
}

export interface DecodeSummary {
  sampleCount: number;
  /** Duration reported by the container (null when unknown); the decoded sample count is authoritative. */
  containerDurationSec: number | null;
}

const parseTimemark = (mark: unknown): number | null => {
  if (typeof mark !== 'string') return null;
  const m = /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(mark.trim());
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
};

/** Turns ffmpeg's stderr into one sentence a user can act on. */
function describeFfmpegFailure(file: string, stderr: string, message: string): StudioError {
  const text = `${stderr}\n${message}`;
  if (/does not contain any stream|Output file .* does not contain|matches no streams|Stream map .* matches no/i.test(text)) {
    return new StudioError(AudioErrorCodes.noAudioStream, `${file} has no audio stream.`);
  }
  if (/Cannot find ffmpeg|spawn .*ENOENT/i.test(text)) return new StudioError(AudioErrorCodes.ffmpegMissing, 'ffmpeg was not found; install it or set MUSEDANCE_FFMPEG.');
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(ffmpeg version|built with|configuration:|lib\w+ +\d|Input #|Output #|Stream mapping|Press \[q\]|size=)/.test(l));
  // A telling stderr line if there is one, else fluent-ffmpeg's own message ("ffmpeg was killed with signal ...",
  // "ffmpeg exited with code N"): never a statistics line that hides what happened.
  const telling = lines.find((l) => /Invalid data|could not find codec|Error|invalid|failed|unsupported|No such file|Permission denied/i.test(l));
  const reason = (telling ?? message.split('\n')[0] ?? 'ffmpeg failed').slice(0, 200);
  return new StudioError(AudioErrorCodes.unreadable, `Cannot decode ${file}: ${reason}`);
}

export class PcmDecodeJob {
  private command: ffmpeg.FfmpegCommand | null = null;
  private stopped = false;

  constructor(
    private readonly file: string,
    private readonly options: DecodeOptions,
  ) {}

  /** Decodes the whole file; rejects with a StudioError (or CANCELLED) and never leaves ffmpeg running. */
  async run(): Promise<DecodeSummary> {
    const { signal } = this.options;
    if (signal?.aborted) throw new StudioError(ErrorCodes.cancelled, 'Cancelled.');
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(this.file);
    } catch {
      throw new StudioError(AudioErrorCodes.notFound, `${this.file} does not exist or cannot be read.`);
    }
    // FIFOs and devices could block or never end; only regular files are analysed.
    if (!stat.isFile()) throw new StudioError(AudioErrorCodes.notAFile, `${this.file} is not a regular file.`);
    if (stat.size === 0) throw new StudioError(AudioErrorCodes.unreadable, `${this.file} is empty.`);

    return new Promise<DecodeSummary>((resolve, reject) => {
      const stallMs = this.options.stallTimeoutMs ?? DECODE_STALL_TIMEOUT_MS;
      let settled = false;
      let sampleCount = 0;
      let durationSec: number | null = null;
      let stderrTail = '';
      // ffmpeg's stdout chunks are not aligned to 4-byte floats: keep the odd bytes for the next chunk.
      let carry = Buffer.alloc(0);
      let scratch = new Float32Array(16_384);
      let stallTimer: NodeJS.Timeout | null = null;

      const finish = (error: StudioError | null) => {
        if (settled) return;
        settled = true;
        if (stallTimer) clearTimeout(stallTimer);
        signal?.removeEventListener('abort', onAbort);
        if (error) {
          this.stop();
          reject(error);
        } else resolve({ sampleCount, containerDurationSec: durationSec });
      };
      const armStall = () => {
        if (stallTimer) clearTimeout(stallTimer);
        stallTimer = setTimeout(() => finish(new StudioError(AudioErrorCodes.stalled, `ffmpeg produced no audio for ${stallMs / 1000} s while decoding ${this.file}.`)), stallMs);
      };
      const onAbort = () => finish(new StudioError(ErrorCodes.cancelled, 'Cancelled.'));
      signal?.addEventListener('abort', onAbort, { once: true });

      const command = ffmpeg(this.file)
        .setFfmpegPath(this.options.ffmpegPath)
        // Only the containers the studio opens (format-allow-list): never a playlist or script format.
        .inputOptions(['-nostdin', '-hide_banner', ...FORMAT_WHITELIST_ARGS])
        .noVideo()
        .outputOptions(['-map', '0:a:0', '-sn', '-dn'])
        .audioChannels(1)
        .audioFrequency(this.options.sampleRate)
        .audioCodec('pcm_f32le')
        .format('f32le')
        .on('codecData', (data: { duration?: string }) => {
          durationSec = parseTimemark(data.duration);
        })
        .on('stderr', (line: string) => {
          stderrTail = (stderrTail + line + '\n').slice(-4000);
        })
        
        .on('error', (error: Error, _stdout: unknown, stderr: unknown) => {
          // fluent-ffmpeg says "Output stream closed" (and kills ffmpeg) when ffmpeg takes over 20 ms to exit
          // after closing stdout, as on a busy machine: stdout had ended, every sample was received.
          if (stdoutEnded && /Output stream closed/.test(error.message)) {
            finish(null);
            return;
          }
          finish(describeFfmpegFailure(this.file, (typeof stderr === 'string' && stderr) || stderrTail, error.message));
        });
      this.command = command;
      const out = command.pipe();
      armStall();
      out.on('data', (chunk: Buffer) => {
        if (settled) return;
        armStall();
        const bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk;
        const whole = bytes.length - (bytes.length % 4);
        carry = whole === bytes.length ? EMPTY : Buffer.from(bytes.subarray(whole));
        if (whole === 0) return;
        // Copy into one reused, aligned buffer (a Float32Array view needs a 4-byte aligned offset); reusing it
        // keeps the garbage collector from letting the heap balloon on long files.
        if (scratch.length < whole / 4) scratch = new Float32Array(whole / 4);
        const samples = scratch.subarray(0, whole / 4);
        new Uint8Array(scratch.buffer, 0, whole).set(bytes.subarray(0, whole));
        sampleCount += samples.length;
        try {
          this.options.onSamples(samples);
          this.options.onProgress?.(sampleCount / this.options.sampleRate, durationSec);
        } catch (error) {
          finish(error instanceof StudioError ? error : new StudioError(ErrorCodes.internal, `Audio analysis failed: ${(error as Error).message}`));
        }
      });
      // Success needs both: every byte of stdout consumed and ffmpeg exited with status 0 ('end' on the command;
      // a non-zero exit arrives as 'error' instead).
      let stdoutEnded = false;
      let processEnded = false;
      out.on('end', () => {
        stdoutEnded = true;
        if (processEnded) finish(null);
      });
      command.on('end', () => {
        processEnded = true;
        if (stdoutEnded) finish(null);
      });
      out.on('error', (error: Error) => finish(new StudioError(AudioErrorCodes.unreadable, `Cannot decode ${this.file}: ${error.message}`)));
    });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    try {
      this.command?.kill('SIGKILL');
    } catch {
      // already exited
    }
  }
}
