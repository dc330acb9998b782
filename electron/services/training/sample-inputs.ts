/**
 * The preview sample's inputs, made once per run in `<runDir>/sample-input/`: the user's image as PNG, the
 * music as 16 kHz mono WAV (what the worker expects), and the beats inside the previewed segment
 * (on the music's timeline, as PROTOCOL.md's `sample.beatTimesSec`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { TrainingErrorCodes, type SampleSpec } from '../../shared/domain/training';
import { createFfmpegCommand, runFfmpeg, probeMedia, type MediaTools } from '../media/index';
import { readDatasetJson } from './dataset/dataset-files';
import { detectBeats } from '../audio/index';

export interface SampleInputs {
  imagePath: string;
  audioPath: string;
  segmentBeatsSec: number[];
}

export async function prepareSampleInputs(runDir: string, sample: SampleSpec, datasetDir: string, tools: MediaTools, signal?: AbortSignal): Promise<SampleInputs> {
  const dir = path.join(runDir, 'sample-input');
  await fs.mkdir(dir, { recursive: true });
  const image = await probeMedia(sample.referenceImage, { ...tools, require: 'image', signal });
  const music = await probeMedia(sample.audioPath, { ...tools, require: 'audio', signal });
  const imagePath = path.join(dir, 'reference.png');
  const audioPath = path.join(dir, 'music.16k.wav');
  await runFfmpeg(createFfmpegCommand(tools).input(image.path).output(imagePath).outputOptions(['-frames:v', '1', '-pix_fmt', 'rgb24', '-y']), { label: 'Sample image', signal });
  await runFfmpeg(createFfmpegCommand(tools).input(music.path).output(audioPath).outputOptions(['-vn', '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le', '-y']), { label: 'Sample music', signal });
  const dataset = await readDatasetJson(datasetDir);
  if (!dataset) throw new StudioError(TrainingErrorCodes.datasetNotFound, `${datasetDir} is not a training dataset.`);
  const { beatTimesSec } = await detectBeats(audioPath, { ffmpegPath: tools.ffmpegPath, signal });
  const start = sample.audioStartSec;
  const segmentSec = dataset.framesPerSegment / dataset.fps;
  // PROTOCOL.md: beat times on the audio file's timeline; only those inside the previewed segment matter.
  const segmentBeatsSec = beatTimesSec.filter((t) => t >= start - 0.5 / dataset.fps && t < start + segmentSec);
  return { imagePath, audioPath, segmentBeatsSec };
}
