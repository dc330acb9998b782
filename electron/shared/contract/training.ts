import { z } from 'zod';
import { channel, HostPath } from './channel';
import { CropBox } from '../domain/media';
import {
  BeatTimes,
  Caption,
  ClipAddResult,
  ClipId,
  DatasetClip,
  DatasetSummary,
  ModelGeometry,
  RunDetails,
  RunEstimate,
  RunSpec,
  RunState,
  TrainingEvent,
} from '../domain/training';

const Path = HostPath;
const RunId = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'run ids are 1-100 letters, digits, ".", "_" or "-"');
/** Largest upload chunk (raw bytes) of a dropped file; base64 keeps it under the host's 8 MB message limit. */
export const UPLOAD_CHUNK_BYTES = 2 * 1024 * 1024;
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

export const BasePack = z.object({ dir: z.string(), name: z.string(), geometry: ModelGeometry, hasWeights: z.boolean(), source: z.enum(['user', 'bundled']) });

export const trainingChannels = {
  'training.checkPython': channel({
    summary: 'Check the configured Python for the training worker (torch present, versions, device)',
    request: z.object({}).strict(),
    reply: z.object({ pythonPath: z.string(), pythonVersion: z.string(), torchVersion: z.string(), cudaAvailable: z.boolean() }),
  }),
  'training.basePacks': channel({
    summary: 'Model packs that can be fine-tuned (they carry PyTorch weights)',
    request: z.object({}).strict(),
    reply: z.object({ packs: z.array(BasePack) }),
  }),
  'training.datasetCreate': channel({
    summary: 'Create an empty training dataset folder for a model geometry (fps, resolution, K, M)',
    request: z
      .object({ dir: Path, geometry: ModelGeometry.optional(), basePack: Path.optional(), config: z.enum(['tiny', 'sd15']).optional() })
      .strict(),
    reply: DatasetSummary,
  }),
  'training.datasetOpen': channel({
    summary: 'Read a training dataset made by the studio',
    request: z.object({ dir: Path }).strict(),
    reply: DatasetSummary,
  }),
  'training.datasetAddClips': channel({
    summary: 'Add video clips with music: probe, frames at the model fps/resolution, 16 kHz audio, beats, validation',
    request: z.object({ dir: Path, paths: z.array(Path).min(1).max(200), crop: CropBox.optional(), caption: Caption.optional() }).strict(),
    reply: z.object({ dataset: DatasetSummary, results: z.array(ClipAddResult) }),
    job: true,
  }),
  'training.datasetUpload': channel({
    summary: 'Receive a dropped file in chunks into the dataset’s sources folder (browser host drag and drop)',
    request: z
      .object({
        dir: Path,
        uploadId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
        fileName: z.string().min(1).max(255),
        offset: z.number().int().min(0).max(MAX_UPLOAD_BYTES),
        totalBytes: z.number().int().min(1).max(MAX_UPLOAD_BYTES),
        dataBase64: z.string().max(Math.ceil(UPLOAD_CHUNK_BYTES / 3) * 4),
      })
      .strict(),
    reply: z.object({ receivedBytes: z.number().int(), path: z.string().nullable() }),
  }),
  'training.datasetUpdateClip': channel({
    summary: 'Edit one clip: caption, beats (rewrites its windows), or crop (re-extracts its frames)',
    request: z
      .object({ dir: Path, clipId: ClipId, caption: Caption.optional(), beatTimesSec: BeatTimes.optional(), crop: CropBox.nullable().optional() })
      .strict(),
    reply: z.object({ clip: DatasetClip, dataset: DatasetSummary }),
    job: true,
  }),
  'training.datasetBulkCaption': channel({
    summary: 'Edit the captions of many clips at once (set, append, or find and replace)',
    request: z
      .object({
        dir: Path,
        clipIds: z.array(ClipId).min(1).max(1000),
        mode: z.enum(['set', 'append', 'replace']),
        text: Caption,
        find: z.string().min(1).max(200).optional(),
      })
      .strict(),
    reply: DatasetSummary,
  }),
  'training.datasetRemoveClip': channel({
    summary: 'Remove a clip and its windows from a dataset',
    request: z.object({ dir: Path, clipId: ClipId }).strict(),
    reply: DatasetSummary,
  }),
  'training.estimate': channel({
    summary: 'Time and memory estimate of a run spec before starting it',
    request: z.object({ spec: RunSpec }).strict(),
    reply: RunEstimate,
  }),
  'training.start': channel({
    summary: 'Start a training run (the supervised Python worker); returns at once, progress comes as events',
    request: z.object({ spec: RunSpec, runDir: Path.optional() }).strict(),
    reply: RunState,
  }),
  'training.pause': channel({ summary: 'Pause a run (checkpoint at the next step)', request: z.object({ runId: RunId }).strict(), reply: RunState }),
  'training.resume': channel({
    summary: 'Resume a paused run, or continue a stopped or interrupted run from its last good checkpoint',
    request: z.object({ runId: RunId.optional(), runDir: Path.optional(), steps: z.number().int().min(1).max(10_000_000).optional() }).strict(),
    reply: RunState,
  }),
  'training.cancel': channel({
    summary: 'Cancel a run (graceful at the next step with a checkpoint, then killed after a grace period)',
    request: z.object({ runId: RunId }).strict(),
    reply: RunState,
  }),
  'training.runs': channel({
    summary: 'Run history: every run under the studio data folder, newest first',
    request: z.object({}).strict(),
    reply: z.object({ runs: z.array(RunState) }),
  }),
  'training.run': channel({
    summary: 'One run: state, spec, loss curve and samples',
    request: z.object({ runId: RunId.optional(), runDir: Path.optional() }).strict(),
    reply: RunDetails,
  }),
  'training.exportPack': channel({
    summary: 'Export a model pack from a run’s last checkpoint and register it in the studio’s pack list',
    request: z.object({ runId: RunId.optional(), runDir: Path.optional(), name: z.string().min(1).max(100).optional(), outDir: Path.optional() }).strict(),
    reply: z.object({ packDir: z.string(), name: z.string(), manifestPath: z.string(), loadCheck: z.string() }),
    job: true,
  }),
} as const;

export const trainingEvents = {
  /** Live state, loss points, samples and log lines of training runs. */
  'training.event': TrainingEvent,
} as const;
