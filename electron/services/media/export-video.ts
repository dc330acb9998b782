/**
 * Export: numbered PNG frames + the music range they were generated for -> MP4 (H.264 yuv420p + AAC,
 * faststart), WebM (VP9 + Opus), GIF (two-pass palette) or a PNG sequence. The audio range is exactly
 * `frames / fps` seconds from `audio.startSec` (silence pads a song that ends early), so frame k and song
 * time `startSec + k / fps` play together. ffmpeg writes to a hidden partial file that is renamed at the end;
 * cancel or failure removes it, so the output path never holds half a video.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { MediaErrorCodes, type ExportFormat, type GenerationSettings } from '../../shared/domain/media';
import { partialPath, removeAll } from './content-store';
import { createFfmpegCommand, runFfmpeg } from './ffmpeg-job';
import { findFrameSequence } from './frame-sequence';
import { checkImageSize, probeMedia } from './probe';
import { sniffFile } from './file-sniff';
import { SETTINGS_SIDECAR, settingsJson, writeFfmetadata } from './settings-tag';
import { planFrame, trimmedLength, type ExportAspect, type ExportFit, type FramePlan } from '../../shared/domain/export-frame';
import { cancellable, fractionOf, type MediaJobOptions, type MediaTools } from './tools';

export interface ExportVideoRequest extends MediaJobOptions {
  framesDir: string;
  fps: number;
  /** Song and the song time of the first frame; omitted = silent video. */
  audio?: { path: string; startSec: number };
  format: ExportFormat;
  /** Output file; a folder for `png`. */
  out: string;
  interpolateFps?: 24 | 30;
  upscale?: 1 | 2 | 3 | 4;
  /** Fit the (upscaled) frames to an aspect by letterbox or centre crop (issue 23's export dialog). */
  aspect?: ExportAspect;
  fit?: ExportFit;
  /** Stop the video here (the song's end after the first frame): a last segment must not run past the music. */
  maxDurationSec?: number;
  /** A keyframe every this many frames (1 = all-intra: the preview monitor seeks to any frame at once). */
  keyframeEvery?: number;
  settings?: GenerationSettings;
  overwrite?: boolean;
}

export interface ExportVideoResult {
  out: string;
  format: ExportFormat;
  frames: number;
  outputFps: number;
  durationSec: number;
  sizeBytes: number;
  elapsedSec: number;
  hasAudio: boolean;
  settingsStored: boolean;
  width: number;
  height: number;
}

/**
 * Encoder settings per format. x264 `veryfast` keeps a 640x640 export well above 10x real time on two cores
 * at visually lossless CRF; VP9 `good` + cpu-used 5 + row-mt is its fast usable setting.
 */
export const ENCODER_ARGS: Record<'mp4' | 'webm', { video: string[]; audio: string[]; container: string[] }> = {
  mp4: {
    video: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p'],
    audio: ['-c:a', 'aac', '-b:a', '192k'],
    container: ['-movflags', '+faststart', '-f', 'mp4'],
  },
  webm: {
    video: ['-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', '32', '-deadline', 'good', '-cpu-used', '5', '-row-mt', '1', '-pix_fmt', 'yuv420p'],
    audio: ['-c:a', 'libopus', '-b:a', '128k'],
    container: ['-f', 'webm'],
  },
};

/** The output frame of `request` for source frames of `source` size (see shared/domain/export-frame). */
export const framePlan = (request: Pick<ExportVideoRequest, 'upscale' | 'aspect' | 'fit' | 'format'>, source: { width: number; height: number }): FramePlan =>
  planFrame(source, { upscale: request.upscale, aspect: request.aspect, fit: request.fit, evenSides: request.format === 'mp4' || request.format === 'webm' });

/** The video filter chain before the format-specific tail: upscale, aspect crop/letterbox, then motion interpolation. */
export function videoFilters(request: Pick<ExportVideoRequest, 'upscale' | 'interpolateFps' | 'format' | 'aspect' | 'fit'>, source?: { width: number; height: number }): string[] {
  const filters: string[] = [];
  if (request.upscale && request.upscale > 1) filters.push(`scale=iw*${request.upscale}:ih*${request.upscale}:flags=lanczos`);
  const plan = source ? framePlan(request, source) : null;
  if (plan?.crop) filters.push(`crop=${plan.crop.width}:${plan.crop.height}:${plan.crop.x}:${plan.crop.y}`);
  if (plan?.pad) filters.push(`pad=${plan.pad.width}:${plan.pad.height}:${plan.pad.x}:${plan.pad.y}:color=black`);
  if (request.interpolateFps) {
    // Hold the last frame two more frame times (minterpolate needs a frame after the end) so the interpolated video lasts exactly frames / fps.
    filters.push('tpad=stop_mode=clone:stop=2', `minterpolate=fps=${request.interpolateFps}:mi_mode=mci:mc_mode=aobmc:vsbmc=1`);
  }
  // yuv420p needs even sides; pad by one pixel rather than distort (the plan above already made them even).
  if (request.format === 'mp4' || request.format === 'webm') filters.push(...(plan ? [] : ['pad=ceil(iw/2)*2:ceil(ih/2)*2']), 'format=yuv420p');
  return filters;
}

export function exportVideo(tools: MediaTools, request: ExportVideoRequest): Promise<ExportVideoResult> {
  return cancellable(request.signal, 'Export', () => exportVideoJob(tools, request));
}

async function exportVideoJob(tools: MediaTools, request: ExportVideoRequest): Promise<ExportVideoResult> {
  const started = performance.now();
  const { signal, onProgress, fps, format } = request;
  onProgress?.(0, 'Reading frames');
  const frames = await findFrameSequence(request.framesDir);
  const source = await checkFirstFrame(frames.firstFile);
  const trimmed = trimmedLength(frames.count, fps, request.maxDurationSec ?? null);
  const durationSec = trimmed.durationSec;
  const plan = framePlan(request, source);
  const outputFps = request.interpolateFps ?? fps;
  let audioPath: string | null = null;
  if (request.audio) {
    const probe = await probeMedia(request.audio.path, { ...tools, require: 'audio', signal });
    audioPath = probe.path;
  }

  const out = path.resolve(request.out);
  await checkOutput(out, format, request.overwrite ?? false);
  const partial = partialPath(out);
  const metaFile = request.settings && format !== 'png' && format !== 'gif' ? `${partial}.ffmeta` : null;
  try {
    if (metaFile) await writeFfmetadata(metaFile, request.settings!);
    if (format === 'png') await fs.mkdir(partial);

    const command = createFfmpegCommand(tools)
      .input(frames.pattern)
      .inputOptions(['-f', 'image2', '-framerate', String(fps), '-start_number', String(frames.startNumber)]);
    let nextInput = 1;
    let audioInput: number | null = null;
    if (audioPath && (format === 'mp4' || format === 'webm')) {
      // Input seek is sample-accurate for transcoding (ffmpeg trims the decoded audio to the exact time).
      command.input(audioPath).inputOptions(['-ss', request.audio!.startSec.toFixed(6), '-t', durationSec.toFixed(6)]);
      audioInput = nextInput++;
    }
    const metaInput = metaFile ? nextInput++ : null;
    if (metaFile) command.input(metaFile).inputOptions(['-f', 'ffmetadata']);

    const filters = videoFilters(request, source);
    const outputTarget = format === 'png' ? path.join(partial, '%06d.png') : partial;
    const options: string[] = [];
    if (format === 'gif') {
      const chain = [...filters, 'split[a][b]'].join(',');
      command.complexFilter([`[0:v]${chain}`, '[a]palettegen=stats_mode=diff[p]', '[b][p]paletteuse=dither=sierra2_4a[v]']);
      options.push('-map', '[v]', '-loop', '0', '-f', 'gif');
    } else {
      options.push('-map', '0:v:0');
      if (filters.length) options.push('-vf', filters.join(','));
      if (format === 'png') options.push('-c:v', 'png', '-f', 'image2', '-start_number', '1');
      else {
        const enc = ENCODER_ARGS[format];
        options.push(...enc.video, '-r', String(outputFps));
        if (request.keyframeEvery) options.push('-g', String(request.keyframeEvery), '-keyint_min', String(request.keyframeEvery));
        if (audioInput !== null) options.push('-map', `${audioInput}:a:0`, '-af', 'apad', ...enc.audio);
        options.push(...enc.container);
      }
    }
    options.push('-t', durationSec.toFixed(6));
    if (metaInput !== null) options.push('-map_metadata', String(metaInput));
    else options.push('-map_metadata', '-1');
    command.output(outputTarget).outputOptions(options);

    await runFfmpeg(command, {
      label: `Export ${format.toUpperCase()}`,
      signal,
      onProgress: (p) => onProgress?.(fractionOf(p.outTimeSec, durationSec), `Encoding ${format.toUpperCase()} (${p.outTimeSec.toFixed(1)} of ${durationSec.toFixed(1)} s)`),
    });
    if (format === 'png' && request.settings) await fs.writeFile(path.join(partial, SETTINGS_SIDECAR), settingsJson(request.settings));
    if (request.overwrite) await fs.rm(out, { recursive: true, force: true });
    await fs.rename(partial, out);
  } catch (error) {
    await removeAll([partial]);
    throw error;
  } finally {
    await removeAll([metaFile]);
  }
  onProgress?.(1, 'Export finished');
  return {
    out,
    format,
    frames: request.interpolateFps ? frames.count : trimmed.frames,
    outputFps,
    durationSec,
    sizeBytes: await sizeOf(out),
    elapsedSec: (performance.now() - started) / 1000,
    hasAudio: audioPath !== null && (format === 'mp4' || format === 'webm'),
    settingsStored: !!request.settings && format !== 'gif',
    width: plan.width,
    height: plan.height,
  };
}

/**
 * The frames are the studio's own PNGs: their header is checked here (a PNG, of a size that is safe to decode)
 * without spawning ffprobe; a damaged frame further in makes ffmpeg fail with its own message.
 */
async function checkFirstFrame(file: string): Promise<{ width: number; height: number }> {
  const name = path.basename(file);
  const size = (await fs.stat(file)).size;
  const sniffed = size > 0 ? await sniffFile(file, size) : null;
  if (!sniffed?.image || sniffed.image.format !== 'png') throw new StudioError(MediaErrorCodes.corrupt, `The first frame ${name} is not a PNG image.`);
  checkImageSize(name, sniffed.image.width, sniffed.image.height);
  return { width: sniffed.image.width, height: sniffed.image.height };
}

async function checkOutput(out: string, format: ExportFormat, overwrite: boolean): Promise<void> {
  const parent = await fs.stat(path.dirname(out)).catch(() => null);
  if (!parent?.isDirectory()) throw new StudioError(MediaErrorCodes.badOutput, `The folder ${path.dirname(out)} does not exist.`);
  const existing = await fs.stat(out).catch(() => null);
  if (existing && !overwrite) throw new StudioError(MediaErrorCodes.badOutput, `${out} already exists.`);
  if (existing && existing.isDirectory() !== (format === 'png')) {
    throw new StudioError(MediaErrorCodes.badOutput, `${out} is a ${existing.isDirectory() ? 'folder' : 'file'}; a ${format} export needs a ${format === 'png' ? 'folder' : 'file'}.`);
  }
}

async function sizeOf(target: string): Promise<number> {
  const stat = await fs.stat(target);
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const name of await fs.readdir(target)) total += (await fs.stat(path.join(target, name))).size;
  return total;
}
