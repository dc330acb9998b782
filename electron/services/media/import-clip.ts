/**
 * Training-clip import: a video becomes numbered PNG frames at the pack's frame rate and resolution (scaled to
 * cover, then centre-cropped) plus a 16 kHz mono WAV of its sound, in one ffmpeg pass. The output folder is
 * created by this call and removed again when it fails or is cancelled.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { MediaErrorCodes } from '../../shared/domain/media';
import { removeAll } from './content-store';
import { createFfmpegCommand, runFfmpeg } from './ffmpeg-job';
import { MONO_16K_SAMPLE_RATE } from './import-song';
import { probeMedia } from './probe';
import { FORMAT_WHITELIST_ARGS } from './format-allow-list';
import { cancellable, fractionOf, type MediaJobOptions, type MediaTools } from './tools';

export const CLIP_FRAME_PATTERN = '%06d.png';

export interface ImportClipRequest extends MediaJobOptions {
  path: string;
  /** Created by this call; must not exist yet or be empty. */
  outDir: string;
  fps: number;
  width: number;
  height: number;
}

export interface ImportedClip {
  framesDir: string;
  framePattern: string;
  frameCount: number;
  fps: number;
  width: number;
  height: number;
  audioPath: string | null;
  durationSec: number;
}

export function importClip(tools: MediaTools, request: ImportClipRequest): Promise<ImportedClip> {
  return cancellable(request.signal, 'Clip import', () => importClipJob(tools, request));
}

async function importClipJob(tools: MediaTools, request: ImportClipRequest): Promise<ImportedClip> {
  const { signal, onProgress, fps, width, height } = request;
  onProgress?.(0, 'Checking the clip');
  const probe = await probeMedia(request.path, { ...tools, require: 'video', signal });
  const outDir = path.resolve(request.outDir);
  const existing = await fs.readdir(outDir).catch(() => null);
  if (existing && existing.length > 0) throw new StudioError(MediaErrorCodes.badOutput, `${outDir} already exists and is not empty.`);
  const framesDir = path.join(outDir, 'frames');
  await fs.mkdir(framesDir, { recursive: true });
  const audioPath = probe.hasAudio ? path.join(outDir, 'audio.16k.wav') : null;
  try {
    const command = createFfmpegCommand(tools)
      .input(probe.path)
      .inputOptions(FORMAT_WHITELIST_ARGS)
      .output(path.join(framesDir, CLIP_FRAME_PATTERN))
      .outputOptions([
        '-map', '0:v:0',
        '-vf', `fps=${fps},scale=${width}:${height}:force_original_aspect_ratio=increase:flags=bicubic,crop=${width}:${height},setsar=1,format=rgb24`,
        '-c:v', 'png', '-f', 'image2', '-start_number', '1',
      ]);
    if (audioPath) {
      command.output(audioPath).outputOptions(['-map', '0:a:0', '-vn', '-ac', '1', '-ar', String(MONO_16K_SAMPLE_RATE), '-c:a', 'pcm_s16le', '-f', 'wav']);
    }
    const durationSec = probe.durationSec ?? 0;
    await runFfmpeg(command, {
      label: 'Clip import',
      signal,
      onProgress: (p) => onProgress?.(fractionOf(p.outTimeSec, durationSec), `Extracting frames (${p.frames})`),
    });
    const frameCount = (await fs.readdir(framesDir)).filter((f) => f.endsWith('.png')).length;
    if (frameCount === 0) throw new StudioError(MediaErrorCodes.corrupt, `${path.basename(probe.path)} produced no frames.`);
    onProgress?.(1, 'Clip imported');
    return { framesDir, framePattern: CLIP_FRAME_PATTERN, frameCount, fps, width, height, audioPath, durationSec: frameCount / fps };
  } catch (error) {
    await removeAll([existing ? framesDir : outDir, audioPath]);
    throw error;
  }
}
