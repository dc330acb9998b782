/**
 * Song import: the file as given goes into the project by content hash, plus two PCM working copies made in
 * one ffmpeg pass: 16 kHz mono (beat tracking, the music encoder) and 44.1 kHz stereo (playback, export).
 * Any channel layout, sample rate and sample format ffmpeg decodes is accepted (5.1 is downmixed).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { MediaProbe } from '../../shared/domain/media';
import type { MediaRef } from '../../shared/domain/project';
import { partialPath, removeAll, resolveProjectDir, safeExtension, storeFile } from './content-store';
import { createFfmpegCommand, runFfmpeg } from './ffmpeg-job';
import { probeMedia } from './probe';
import { FORMAT_WHITELIST_ARGS } from './format-allow-list';
import { cancellable, fractionOf, type MediaJobOptions, type MediaTools } from './tools';

export const MONO_16K_SAMPLE_RATE = 16_000;
export const STEREO_44K_SAMPLE_RATE = 44_100;

export interface ImportedSong {
  song: MediaRef;
  mono16kPath: string;
  stereo44kPath: string;
  probe: MediaProbe;
}

/** Project-relative paths of a song's working copies (derived from the song's hash). */
export const songWorkingCopies = (sha256: string) => ({
  mono16kPath: `media/${sha256}.mono16k.wav`,
  stereo44kPath: `media/${sha256}.stereo44k.wav`,
});

export function importSong(tools: MediaTools, request: { projectDir: string; path: string } & MediaJobOptions): Promise<ImportedSong> {
  return cancellable(request.signal, 'Song import', () => importSongJob(tools, request));
}

async function importSongJob(tools: MediaTools, request: { projectDir: string; path: string } & MediaJobOptions): Promise<ImportedSong> {
  const { signal, onProgress } = request;
  const projectDir = await resolveProjectDir(request.projectDir);
  onProgress?.(0, 'Checking the song');
  const probe = await probeMedia(request.path, { ...tools, require: 'audio', signal });
  const originalName = path.basename(probe.path);
  onProgress?.(0.02, 'Copying the song into the project');
  const stored = await storeFile(projectDir, probe.path, safeExtension(originalName, 'audio'), originalName, signal);
  const rel = songWorkingCopies(stored.ref.sha256);
  const monoAbs = path.join(projectDir, rel.mono16kPath);
  const stereoAbs = path.join(projectDir, rel.stereo44kPath);
  const monoTmp = partialPath(monoAbs);
  const stereoTmp = partialPath(stereoAbs);
  try {
    const command = createFfmpegCommand(tools)
      .input(probe.path)
      .inputOptions(FORMAT_WHITELIST_ARGS)
      .output(monoTmp)
      .outputOptions(['-map', '0:a:0', '-vn', '-ac', '1', '-ar', String(MONO_16K_SAMPLE_RATE), '-c:a', 'pcm_s16le', '-f', 'wav'])
      .output(stereoTmp)
      .outputOptions(['-map', '0:a:0', '-vn', '-ac', '2', '-ar', String(STEREO_44K_SAMPLE_RATE), '-c:a', 'pcm_s16le', '-f', 'wav']);
    await runFfmpeg(command, {
      label: 'Song import',
      signal,
      onProgress: (p) => onProgress?.(0.05 + 0.95 * (fractionOf(p.outTimeSec, probe.durationSec ?? 0) ?? 0), 'Making working copies'),
    });
    await fs.rename(monoTmp, monoAbs);
    await fs.rename(stereoTmp, stereoAbs);
  } catch (error) {
    await removeAll([monoTmp, stereoTmp, stored.created ? stored.absPath : null]);
    throw error;
  }
  onProgress?.(1, 'Song imported');
  return { song: stored.ref, ...rel, probe };
}
