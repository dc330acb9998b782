/**
 * Files of a studio dataset folder. `sources.json` is the studio's record (clips as the user added them,
 * captions, edited beats, rejections); `dataset.json` and `clips/<window>/` are the native-models format
 * (DATASET.md) derived from it, rewritten whenever the record changes.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../util/atomic-file';
import { StudioError } from '../../../shared/result';
import { DatasetSources, TrainingErrorCodes, type DatasetClip, type DatasetSummary, type ModelGeometry } from '../../../shared/domain/training';
import { downbeatsOf } from '../../audio/index';

export const SOURCES_FILE = 'sources.json';
export const DATASET_FILE = 'dataset.json';
export const CLIPS_DIR = 'clips';
/** Dropped files land here (browser host uploads). */
export const UPLOADS_DIR = 'sources';
export const SAMPLE_RATE_HZ = 16_000;

export async function readSources(dir: string): Promise<DatasetSources> {
  const file = path.join(dir, SOURCES_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new StudioError(TrainingErrorCodes.datasetNotFound, `${dir} is not a studio training dataset (no ${SOURCES_FILE}).`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StudioError(TrainingErrorCodes.datasetInvalid, `${file} is not valid JSON (${(error as Error).message.slice(0, 120)}).`);
  }
  const parsed = DatasetSources.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StudioError(TrainingErrorCodes.datasetInvalid, `${file}: ${issue.path.join('.') || 'file'}: ${issue.message}.`);
  }
  return parsed.data;
}

/** Writes the record and the DATASET.md index derived from it (splits list every window of a ready clip). */
export async function writeSources(dir: string, sources: DatasetSources): Promise<void> {
  await writeFileAtomic(path.join(dir, SOURCES_FILE), JSON.stringify(sources, null, 1) + '\n');
  const g = sources.geometry;
  const train = sources.clips.filter((c) => c.status === 'ready').flatMap((c) => c.windows);
  const index = { version: 1, fps: g.fps, height: g.height, width: g.width, sampleRateHz: SAMPLE_RATE_HZ, splits: { train, heldout: [] as string[] } };
  await writeFileAtomic(path.join(dir, DATASET_FILE), JSON.stringify(index, null, 1) + '\n');
}

export function summarise(dir: string, sources: DatasetSources): DatasetSummary {
  return {
    dir,
    geometry: sources.geometry,
    clips: sources.clips,
    trainWindows: sources.clips.filter((c) => c.status === 'ready').reduce((n, c) => n + c.windows.length, 0),
  };
}

/** Geometry of any dataset folder (studio-made or synthetic): fps/size from dataset.json, K from sources.json. */
export async function readDatasetJson(dir: string): Promise<(ModelGeometry & { train: string[] }) | null> {
  try {
    const index = JSON.parse(await fs.readFile(path.join(dir, DATASET_FILE), 'utf8')) as { fps: number; width: number; height: number; splits?: { train?: string[] } };
    const sources = await readSources(dir).catch(() => null);
    return {
      fps: index.fps,
      width: index.width,
      height: index.height,
      framesPerSegment: sources?.geometry.framesPerSegment ?? 48,
      motionFrames: sources?.geometry.motionFrames ?? 2,
      train: index.splits?.train ?? [],
    };
  } catch {
    return null;
  }
}

export interface WindowPlacement {
  index: number;
  startFrame: number;
  numFrames: number;
}

/** Windows of K+M frames with a stride of K: each window's first M frames are the previous window's last M. */
export function windowPlacements(frameCount: number, g: ModelGeometry): { windows: WindowPlacement[]; droppedFrames: number } {
  const length = g.framesPerSegment + g.motionFrames;
  const windows: WindowPlacement[] = [];
  for (let start = 0; start + length <= frameCount; start += g.framesPerSegment) windows.push({ index: windows.length, startFrame: start, numFrames: length });
  const covered = windows.length ? windows.at(-1)!.startFrame + length : 0;
  return { windows, droppedFrames: frameCount - covered };
}

export const windowId = (clipId: string, index: number) => `${clipId}_w${String(index).padStart(3, '0')}`;

/** beats.json of one window: the source clip's beats inside it, in seconds from the window's start. */
export async function writeWindowBeats(dir: string, clip: DatasetClip, g: ModelGeometry, w: WindowPlacement): Promise<void> {
  const startSec = w.startFrame / g.fps;
  const endSec = (w.startFrame + w.numFrames) / g.fps;
  const beats = clip.beatTimesSec.filter((t) => t >= startSec && t < endSec).map((t) => Math.round((t - startSec) * 1e6) / 1e6);
  const body = { beatTimesSec: beats, downbeatTimesSec: downbeatsOf(beats), bpm: clip.tempoBpm };
  await writeFileAtomic(path.join(dir, CLIPS_DIR, windowId(clip.id, w.index), 'beats.json'), JSON.stringify(body) + '\n');
}

export async function writeWindowCaption(dir: string, clip: DatasetClip, w: WindowPlacement): Promise<void> {
  await writeFileAtomic(path.join(dir, CLIPS_DIR, windowId(clip.id, w.index), 'caption.txt'), clip.caption + '\n');
}

/** Rewrites beats.json and caption.txt of every window of a clip (after an edit). */
export async function rewriteWindowText(dir: string, clip: DatasetClip, g: ModelGeometry): Promise<void> {
  const { windows } = windowPlacements(clip.frameCount, g);
  for (const w of windows.slice(0, clip.windows.length)) {
    await writeWindowBeats(dir, clip, g, w);
    await writeWindowCaption(dir, clip, w);
  }
}

export async function removeClipWindows(dir: string, clip: DatasetClip): Promise<void> {
  for (const id of clip.windows) await fs.rm(path.join(dir, CLIPS_DIR, id), { recursive: true, force: true });
}
