/**
 * One source clip -> dataset windows. Checks come first and cheapest first (probe, sound, duplicate,
 * length), then one ffmpeg pass extracts frames at the model fps/resolution (user crop, then cover-scale and
 * centre-crop) and 16 kHz mono audio, then motion is measured and beats detected, and finally every K+M-frame
 * window is written in the DATASET.md layout. A rejected clip gets a problem in words and leaves no files.
 */
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../../shared/result';
import type { CropBox } from '../../../shared/domain/media';
import { minClipSec, TrainingErrorCodes, windowFrames, type ClipProblem, type DatasetClip, type DatasetSources, type ModelGeometry } from '../../../shared/domain/training';
import { createFfmpegCommand, runFfmpeg, probeMedia, type MediaTools } from '../../media/index';
import { sha256File } from '../checkpoint-ledger';
import { detectBeats } from '../../audio/index';
import { CLIPS_DIR, SAMPLE_RATE_HZ, windowId, windowPlacements, writeWindowBeats, writeWindowCaption } from './dataset-files';
import { readWavPcm16, writeWavPcm16Mono } from './wav16';

/** Mean absolute grey-level change between consecutive frames (0..255) below which a clip "does not move". */
export const MIN_MOTION_SCORE = 0.5;
/** Frames are compared at this size: enough to see a body move, cheap for any resolution. */
const MOTION_PROBE_SIDE_PX = 32;
const MOTION_PROBE_TIMEOUT_MS = 120_000;
const WORK_DIR = '.work';

export interface PrepareOptions {
  tools: MediaTools;
  crop: CropBox | null;
  caption: string;
  signal?: AbortSignal;
  onProgress?(fraction: number, message: string): void;
  /** Replaces this clip (crop change): its id, caption and edited beats are kept. */
  replacing?: DatasetClip;
}

const slug = (name: string) =>
  path
    .parse(name)
    .name.normalize('NFKD')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40) || 'clip';

export function rejected(source: string, sha256: string, problem: ClipProblem, caption: string): DatasetClip {
  return {
    id: `rejected-${crypto.createHash('sha1').update(source + Date.now() + Math.random()).digest('hex').slice(0, 12)}`,
    sourceName: path.basename(source),
    sourcePath: path.resolve(source),
    sha256,
    status: 'rejected',
    problem,
    durationSec: 0,
    frameCount: 0,
    windows: [],
    droppedFrames: 0,
    caption,
    beatTimesSec: [],
    beatsEdited: false,
    tempoBpm: 0,
    crop: null,
    motionScore: 0,
    addedAt: new Date().toISOString(),
  };
}

const problemOf = (error: unknown): ClipProblem | null =>
  error instanceof StudioError ? { code: error.code, message: error.message } : null;

/** Prepares one clip. Throws only for cancellation and unexpected failures; user-facing problems are returned. */
export async function prepareClip(datasetDir: string, sources: DatasetSources, sourcePath: string, options: PrepareOptions): Promise<DatasetClip> {
  const g = sources.geometry;
  const name = path.basename(sourcePath);
  const { tools, signal } = options;
  const progress = (f: number, m: string) => options.onProgress?.(f, `${name}: ${m}`);
  progress(0, 'checking');
  let probe;
  try {
    probe = await probeMedia(sourcePath, { ...tools, require: 'video', signal });
  } catch (error) {
    const problem = problemOf(error);
    if (!problem) throw error;
    return rejected(sourcePath, '', problem, options.caption);
  }
  const sha256 = await sha256File(probe.path);
  const reject = (code: string, message: string) => rejected(sourcePath, sha256, { code, message }, options.caption);
  if (!probe.hasAudio) return reject(TrainingErrorCodes.clipNoAudio, `${name} has no sound; training clips need the music the dancer moves to.`);
  const twin = sources.clips.find((c) => c.status === 'ready' && c.sha256 === sha256 && c.id !== options.replacing?.id);
  if (twin) return reject(TrainingErrorCodes.clipDuplicate, `${name} is the same video as ${twin.sourceName}, which is already in the dataset.`);
  const needSec = minClipSec(g);
  if (probe.durationSec !== null && probe.durationSec < needSec) {
    return reject(TrainingErrorCodes.clipTooShort, `${name} is ${probe.durationSec.toFixed(2)} s long; the model needs at least ${needSec.toFixed(2)} s (${windowFrames(g)} frames at ${g.fps} fps).`);
  }
  if (options.crop && probe.width && probe.height) {
    const c = options.crop;
    if (c.x + c.width > probe.width || c.y + c.height > probe.height) {
      return reject(TrainingErrorCodes.datasetInvalid, `The crop ${c.width}x${c.height} at (${c.x}, ${c.y}) does not fit inside ${name} (${probe.width}x${probe.height}).`);
    }
  }

  const clipId = options.replacing?.id ?? `${slug(name)}-${sha256.slice(0, 8)}`;
  const work = path.join(datasetDir, WORK_DIR, clipId);
  await fs.rm(work, { recursive: true, force: true });
  await fs.mkdir(path.join(work, 'frames'), { recursive: true });
  try {
    progress(0.1, 'extracting frames and audio');
    const filters = [
      options.crop ? `crop=${options.crop.width}:${options.crop.height}:${options.crop.x}:${options.crop.y}` : null,
      `fps=${g.fps}`,
      `scale=${g.width}:${g.height}:force_original_aspect_ratio=increase:flags=bicubic`,
      `crop=${g.width}:${g.height}`,
      'setsar=1',
      'format=rgb24',
    ].filter(Boolean);
    const audioFile = path.join(work, 'audio.16k.wav');
    const command = createFfmpegCommand(tools)
      .input(probe.path)
      .output(path.join(work, 'frames', '%06d.png'))
      .outputOptions(['-map', '0:v:0', '-vf', filters.join(','), '-c:v', 'png', '-f', 'image2', '-start_number', '0'])
      .output(audioFile)
      .outputOptions(['-map', '0:a:0', '-vn', '-ac', '1', '-ar', String(SAMPLE_RATE_HZ), '-c:a', 'pcm_s16le', '-f', 'wav']);
    await runFfmpeg(command, { label: `Preparing ${name}`, signal });
    const frameNames = (await fs.readdir(path.join(work, 'frames'))).filter((f) => f.endsWith('.png')).sort();
    const frameCount = frameNames.length;
    if (frameCount < windowFrames(g)) {
      return reject(TrainingErrorCodes.clipTooShort, `${name} gives ${frameCount} frames at ${g.fps} fps; the model needs at least ${windowFrames(g)}.`);
    }

    progress(0.5, 'measuring motion');
    const motionScore = await measureMotion(path.join(work, 'frames'), tools.ffmpegPath, signal);
    if (motionScore < MIN_MOTION_SCORE) {
      return reject(TrainingErrorCodes.clipNoMotion, `${name} shows no motion (frames change by ${motionScore.toFixed(2)} grey levels on average); a dance clip must move.`);
    }

    progress(0.65, 'detecting beats');
    const detected = await detectBeats(audioFile, { ffmpegPath: tools.ffmpegPath, signal });
    const keepBeats = options.replacing?.beatsEdited ? options.replacing.beatTimesSec : detected.beatTimesSec;
    const { windows, droppedFrames } = windowPlacements(frameCount, g);
    const clip: DatasetClip = {
      id: clipId,
      sourceName: name,
      sourcePath: probe.path,
      sha256,
      status: 'ready',
      problem: null,
      durationSec: frameCount / g.fps,
      frameCount,
      windows: windows.map((w) => windowId(clipId, w.index)),
      droppedFrames,
      caption: options.replacing?.caption ?? options.caption,
      beatTimesSec: keepBeats,
      beatsEdited: options.replacing?.beatsEdited ?? false,
      tempoBpm: detected.tempoBpm,
      crop: options.crop,
      motionScore: Math.round(motionScore * 1000) / 1000,
      addedAt: options.replacing?.addedAt ?? new Date().toISOString(),
    };

    progress(0.8, `writing ${windows.length} windows`);
    const pcm = await readWavPcm16(audioFile);
    for (const w of windows) {
      signal?.throwIfAborted();
      const wdir = path.join(datasetDir, CLIPS_DIR, windowId(clipId, w.index));
      await fs.rm(wdir, { recursive: true, force: true });
      await fs.mkdir(path.join(wdir, 'frames'), { recursive: true });
      for (let i = 0; i < w.numFrames; i++) {
        const from = path.join(work, 'frames', frameNames[w.startFrame + i]!);
        const to = path.join(wdir, 'frames', `${String(i).padStart(6, '0')}.png`);
        // Windows overlap by M frames: hard links share them without copying (copy where links fail).
        await fs.link(from, to).catch(() => fs.copyFile(from, to));
      }
      const first = Math.round((w.startFrame / g.fps) * SAMPLE_RATE_HZ);
      const count = Math.round((w.numFrames / g.fps) * SAMPLE_RATE_HZ);
      const slice = new Int16Array(count);
      slice.set(pcm.samples.subarray(first, Math.min(pcm.samples.length, first + count)));
      await writeWavPcm16Mono(path.join(wdir, 'audio.wav'), SAMPLE_RATE_HZ, slice);
      await writeWindowBeats(datasetDir, clip, g, w);
      await writeWindowCaption(datasetDir, clip, w);
      const meta = {
        numFrames: w.numFrames,
        durationSec: w.numFrames / g.fps,
        source: 'user',
        subjectId: clipId,
        songId: sha256.slice(0, 16),
        sourceName: name,
        windowIndex: w.index,
        startSec: w.startFrame / g.fps,
        crop: options.crop,
      };
      await fs.writeFile(path.join(wdir, 'meta.json'), JSON.stringify(meta, null, 1) + '\n');
    }
    progress(1, `${windows.length} windows ready`);
    return clip;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** Mean absolute difference of consecutive frames, downscaled to grey 32x32, by one ffmpeg read of the PNGs. */
export function measureMotion(framesDir: string, ffmpegPath: string, signal?: AbortSignal): Promise<number> {
  const side = MOTION_PROBE_SIDE_PX;
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-f', 'image2', '-start_number', '0', '-i', path.join(framesDir, '%06d.png'), '-vf', `scale=${side}:${side}:flags=area,format=gray`, '-f', 'rawvideo', '-'];
  return new Promise((resolve, reject) => {
    execFile(ffmpegPath, args, { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024, timeout: MOTION_PROBE_TIMEOUT_MS, signal, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        if ((error as Error).name === 'AbortError') return reject(error);
        return reject(new StudioError(TrainingErrorCodes.datasetInvalid, `Could not measure motion: ${String(stderr).trim().split('\n').pop() ?? error.message}`));
      }
      const frame = side * side;
      const n = Math.floor(stdout.length / frame);
      if (n < 2) return resolve(0);
      let total = 0;
      for (let f = 1; f < n; f++) {
        let diff = 0;
        for (let i = 0; i < frame; i++) diff += Math.abs(stdout[f * frame + i]! - stdout[(f - 1) * frame + i]!);
        total += diff / frame;
      }
      resolve(total / (n - 1));
    });
  });
}
