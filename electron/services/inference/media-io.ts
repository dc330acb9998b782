/**
 * Pixels and samples in and out of ffmpeg for the engine: the reference image as RGB at the pack resolution
 * (centre crop, like the media service's prepared image), any song as 16 kHz mono float PCM (PACK.md "Audio"),
 * and conversions between [-1, 1] NCHW tensors and RGB8 frames.
 */
import { execFile } from 'node:child_process';
import { StudioError } from '../../shared/result';
import { InferenceErrorCodes as E } from './pack-errors';

/** Decoding a reference image or a song (even a long one) takes well under this on two cores. */
export const DECODE_TIMEOUT_MS = 120_000;
/** A 24 h song at 16 kHz mono float32 is 5.5 GB: refuse anything longer than this instead. */
export const MAX_SONG_SAMPLES = 16000 * 60 * 60;

function ffmpegBytes(ffmpegPath: string, args: string[], maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args], { encoding: 'buffer', maxBuffer: maxBytes, timeout: DECODE_TIMEOUT_MS, signal }, (error, stdout, stderr) => {
      if (error) {
        const why = Buffer.from(stderr ?? '').toString('utf8').trim().split('\n').pop() || error.message.split('\n')[0];
        reject(new StudioError(error.name === 'AbortError' ? 'CANCELLED' : E.input, `ffmpeg could not decode the input: ${why!.slice(0, 300)}`));
        return;
      }
      resolve(stdout as Buffer);
    });
  });
}

/** RGB8 (width*height*3) of an image file, scaled to cover and centre-cropped to width x height. */
export async function readImageRgb(ffmpegPath: string, file: string, width: number, height: number, signal?: AbortSignal): Promise<Uint8Array> {
  const vf = `scale=${width}:${height}:force_original_aspect_ratio=increase:flags=bicubic,crop=${width}:${height}`;
  const bytes = await ffmpegBytes(ffmpegPath, ['-i', file, '-frames:v', '1', '-vf', vf, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], width * height * 3 + 1024, signal);
  if (bytes.length !== width * height * 3) throw new StudioError(E.input, `The reference image could not be decoded to ${width}x${height} RGB.`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Whole song as 16 kHz mono float32 in [-1, 1]. */
export async function readSongMono16k(ffmpegPath: string, file: string, signal?: AbortSignal): Promise<Float32Array> {
  const bytes = await ffmpegBytes(ffmpegPath, ['-i', file, '-vn', '-ac', '1', '-ar', '16000', '-f', 'f32le', '-acodec', 'pcm_f32le', 'pipe:1'], MAX_SONG_SAMPLES * 4, signal);
  if (bytes.length < 4) throw new StudioError(E.input, 'The song has no audio samples.');
  const copy = new Float32Array(Math.floor(bytes.length / 4));
  Buffer.from(copy.buffer).set(bytes.subarray(0, copy.length * 4));
  return copy;
}

/** RGB8 HWC -> float NCHW [1,3,H,W] in [-1, 1] (`pixel / 127.5 - 1`). */
export function rgbToTensor(rgb: Uint8Array, width: number, height: number): Float32Array {
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[c * plane + i] = rgb[i * 3 + c]! / 127.5 - 1;
  return out;
}

/** float CHW in [-1, 1] (clamped) -> RGB8 HWC. */
export function tensorToRgb(chw: Float32Array, width: number, height: number, offset = 0): Uint8Array {
  const plane = width * height;
  const out = new Uint8Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const v = Math.min(1, Math.max(-1, chw[offset + c * plane + i]!));
      out[i * 3 + c] = Math.round((v + 1) * 127.5);
    }
  }
  return out;
}
