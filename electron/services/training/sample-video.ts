/**
 * A preview sample (PNG frames + the segment's audio.wav from the worker) becomes one WebM with its music,
 * so the Training screen plays it like any video. VP8 + Opus: every Chromium build decodes them.
 */
import path from 'node:path';
import { createFfmpegCommand, runFfmpeg, type MediaTools } from '../media/index';
import { StudioError } from '../../shared/result';
import { TrainingErrorCodes } from '../../shared/domain/training';

const NUMBERED_PNG = /^(.*?)(\d+)\.png$/;

export async function muxSampleVideo(tools: MediaTools, sample: { frames: string[]; audioPath: string; fps: number }, outFile: string, signal?: AbortSignal): Promise<void> {
  const first = sample.frames[0];
  const m = first ? NUMBERED_PNG.exec(path.basename(first)) : null;
  if (!first || !m) throw new StudioError(TrainingErrorCodes.workerFailed, 'The sample has no numbered PNG frames.');
  const pattern = path.join(path.dirname(first), `${m[1]}%0${m[2]!.length}d.png`);
  const command = createFfmpegCommand(tools)
    .input(pattern)
    .inputOptions(['-framerate', String(sample.fps), '-start_number', String(Number(m[2]))])
    .input(sample.audioPath)
    .output(outFile)
    .outputOptions(['-map', '0:v:0', '-map', '1:a:0', '-c:v', 'libvpx', '-b:v', '1M', '-pix_fmt', 'yuv420p', '-c:a', 'libopus', '-b:a', '64k', '-shortest', '-y']);
  await runFfmpeg(command, { label: 'Sample video', signal });
}
