/**
 * Training runner types shared by the training service, its IPC contract, the CLI and the renderer:
 * the dataset a user builds from clips, the run spec, a run's live state and its history. Pure zod.
 * Bounds on every array and string keep hostile or corrupt files from exhausting memory.
 */
import { z } from 'zod';
import { CropBox } from './media';

export const TrainingErrorCodes = {
  pythonMissing: 'TRAINING_PYTHON_MISSING',
  torchMissing: 'TRAINING_TORCH_MISSING',
  workerFailed: 'TRAINING_WORKER_FAILED',
  workerTimeout: 'TRAINING_WORKER_TIMEOUT',
  workerRejected: 'TRAINING_WORKER_REJECTED',
  datasetInvalid: 'DATASET_INVALID',
  datasetExists: 'DATASET_EXISTS',
  datasetNotFound: 'DATASET_NOT_FOUND',
  clipTooShort: 'DATASET_CLIP_TOO_SHORT',
  clipNoAudio: 'DATASET_CLIP_NO_AUDIO',
  clipNoMotion: 'DATASET_CLIP_NO_MOTION',
  clipDuplicate: 'DATASET_CLIP_DUPLICATE',
  clipNotFound: 'DATASET_CLIP_NOT_FOUND',
  runNotFound: 'TRAINING_RUN_NOT_FOUND',
  runExists: 'TRAINING_RUN_EXISTS',
  runActive: 'TRAINING_RUN_ACTIVE',
  runNotActive: 'TRAINING_RUN_NOT_ACTIVE',
  noCheckpoint: 'TRAINING_NO_CHECKPOINT',
  packInvalid: 'TRAINING_PACK_INVALID',
  exportFailed: 'TRAINING_EXPORT_FAILED',
} as const;

export const MAX_CAPTION_CHARS = 500;
export const MAX_DATASET_CLIPS = 1_000;
export const MAX_CLIP_BEATS = 5_000;

/** Model geometry a dataset is prepared for (a pack's manifest, or a built-in config). */
export const ModelGeometry = z
  .object({
    fps: z.number().int().min(1).max(60),
    width: z.number().int().min(16).max(2048),
    height: z.number().int().min(16).max(2048),
    /** K: frames per segment. */
    framesPerSegment: z.number().int().min(1).max(256),
    /** M: previous frames the motion module sees. */
    motionFrames: z.number().int().min(0).max(16),
  })
  .strict();
export type ModelGeometry = z.infer<typeof ModelGeometry>;

/** The built-in architecture configs of native-models (`config.py`), by name. */
export const BUILTIN_GEOMETRY: Record<'tiny' | 'sd15', ModelGeometry> = {
  tiny: { fps: 12, width: 64, height: 64, framesPerSegment: 48, motionFrames: 2 },
  sd15: { fps: 12, width: 640, height: 640, framesPerSegment: 48, motionFrames: 2 },
};

export const ClipId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'clip ids are 1-64 letters, digits, "_" or "-"');
export const Caption = z.string().max(MAX_CAPTION_CHARS).refine((c) => !/[\r\n\0]/.test(c), 'a caption is one line');
export const BeatTimes = z.array(z.number().finite().min(0).max(24 * 3600)).max(MAX_CLIP_BEATS);

/** Why a clip cannot be used, in words a user acts on. */
export const ClipProblem = z.object({ code: z.string().max(64), message: z.string().max(500) });
export type ClipProblem = z.infer<typeof ClipProblem>;

/** One source clip the user added; it becomes one or more K+M-frame windows (dataset clips). */
export const DatasetClip = z.object({
  id: ClipId,
  /** File name shown in the table. */
  sourceName: z.string().max(255),
  sourcePath: z.string().max(4096),
  sha256: z.string().max(64),
  status: z.enum(['ready', 'rejected']),
  problem: ClipProblem.nullable(),
  durationSec: z.number().nonnegative(),
  frameCount: z.number().int().nonnegative(),
  /** Dataset clip ids (`<id>_w000` ...) written for this source. */
  windows: z.array(ClipId).max(10_000),
  /** Frames at the end that did not fill a window (not used). */
  droppedFrames: z.number().int().nonnegative(),
  caption: Caption,
  beatTimesSec: BeatTimes,
  /** True once the user edited the beats (re-detection would overwrite them otherwise). */
  beatsEdited: z.boolean(),
  tempoBpm: z.number().nonnegative(),
  crop: CropBox.nullable(),
  /** Mean absolute difference between consecutive frames (0..255), the "is anything moving" measure. */
  motionScore: z.number().nonnegative(),
  addedAt: z.string().max(40),
});
export type DatasetClip = z.infer<typeof DatasetClip>;

/** `<dataset>/sources.json`: the studio's record of a dataset (DATASET.md files are derived from it). */
export const DatasetSources = z.object({
  format: z.literal('musedance-dataset-sources'),
  version: z.literal(1),
  geometry: ModelGeometry,
  clips: z.array(DatasetClip).max(MAX_DATASET_CLIPS),
});
export type DatasetSources = z.infer<typeof DatasetSources>;

export const DatasetSummary = z.object({
  dir: z.string(),
  geometry: ModelGeometry,
  clips: z.array(DatasetClip),
  /** Dataset clips (windows) training will sample. */
  trainWindows: z.number().int().nonnegative(),
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

export const ClipAddResult = z.object({
  source: z.string(),
  clip: DatasetClip.nullable(),
  error: ClipProblem.nullable(),
});

/** What trains (the paper: stage 1 = ReferenceNet + UNet spatial layers; stage 2 = music, beat, motion modules). */
export const TrainModules = z.enum(['stage-default', 'lora']);

export const StageSpec = z
  .object({
    stage: z.union([z.literal(1), z.literal(2)]),
    steps: z.number().int().min(1).max(10_000_000),
  })
  .strict();
export type StageSpec = z.infer<typeof StageSpec>;

export const SampleSpec = z
  .object({
    everySteps: z.number().int().min(1).max(1_000_000),
    referenceImage: z.string().min(1).max(4096),
    audioPath: z.string().min(1).max(4096),
    prompt: z.string().max(MAX_CAPTION_CHARS).default(''),
    audioStartSec: z.number().finite().min(0).max(24 * 3600).default(0),
    numInferenceSteps: z.number().int().min(1).max(200).default(10),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  })
  .strict();
export type SampleSpec = z.infer<typeof SampleSpec>;

/** Everything that defines a run (`<runDir>/spec.json`). */
export const RunSpec = z
  .object({
    name: z.string().min(1).max(100),
    datasetDir: z.string().min(1).max(4096),
    /** Base pack folder: fine-tuning starts from its `weights.fp16.pt`. Null = the built-in config from scratch. */
    basePack: z.string().max(4096).nullable().default(null),
    /** Architecture config when no base pack is given. */
    config: z.enum(['tiny', 'sd15']).default('tiny'),
    stages: z.array(StageSpec).min(1).max(4),
    learningRate: z.number().positive().max(1).default(1e-5),
    batchSize: z.number().int().min(1).max(256).default(1),
    modules: TrainModules.default('stage-default'),
    loraRank: z.number().int().min(1).max(256).default(8),
    checkpointEverySteps: z.number().int().min(0).max(1_000_000).default(100),
    keepCheckpoints: z.number().int().min(1).max(100).default(3),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
    mixedPrecision: z.enum(['no', 'fp16', 'bf16']).default('no'),
    gradientCheckpointing: z.boolean().default(false),
    sample: SampleSpec.nullable().default(null),
  })
  .strict();
export type RunSpec = z.infer<typeof RunSpec>;
export type RunSpecInput = z.input<typeof RunSpec>;

export const RunStatus = z.enum(['starting', 'training', 'paused', 'resuming', 'completed', 'cancelled', 'failed', 'interrupted', 'exporting']);
export type RunStatus = z.infer<typeof RunStatus>;

export const LossPoint = z.object({ stage: z.number().int(), step: z.number().int(), loss: z.number(), lr: z.number() });
export type LossPoint = z.infer<typeof LossPoint>;

export const RunSample = z.object({
  stage: z.number().int(),
  step: z.number().int().nullable(),
  /** Relative to the run folder: `samples/step_00000010/sample.webm`. */
  videoPath: z.string().nullable(),
  dir: z.string(),
  prompt: z.string(),
  frames: z.number().int(),
});
export type RunSample = z.infer<typeof RunSample>;

export const RunEstimate = z.object({
  /** Where the numbers come from: `analytic` before start, `worker` once the worker measured its model. */
  source: z.enum(['analytic', 'worker']),
  parameters: z.number().int().nullable(),
  totalBytes: z.number().nullable(),
  secondsPerStep: z.number().nullable(),
  totalSec: z.number().nullable(),
  summary: z.string().max(500),
});
export type RunEstimate = z.infer<typeof RunEstimate>;

/** What the UI shows of a run (live or from disk). */
export const RunState = z.object({
  runId: z.string(),
  runDir: z.string(),
  name: z.string(),
  status: RunStatus,
  stageIndex: z.number().int(),
  stage: z.number().int(),
  step: z.number().int(),
  totalSteps: z.number().int(),
  etaSec: z.number().nullable(),
  stepsPerSec: z.number().nullable(),
  lastCheckpoint: z.string().nullable(),
  autoResumes: z.number().int(),
  message: z.string().max(1000),
  estimate: RunEstimate.nullable(),
  exportedPack: z.string().nullable(),
  startedAt: z.string(),
  updatedAt: z.string(),
});
export type RunState = z.infer<typeof RunState>;

export const RunDetails = z.object({
  state: RunState,
  spec: RunSpec,
  losses: z.array(LossPoint),
  samples: z.array(RunSample),
  /** Media root id under which `samples[].videoPath` can be loaded (`mediaUrl('pack', mediaRoot + '/' + path)`). */
  mediaRoot: z.string(),
});
export type RunDetails = z.infer<typeof RunDetails>;

/** Live training event sent to the renderer. */
export const TrainingEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('state'), runId: z.string(), state: RunState }),
  z.object({ kind: z.literal('loss'), runId: z.string(), point: LossPoint }),
  z.object({ kind: z.literal('sample'), runId: z.string(), sample: RunSample }),
  z.object({ kind: z.literal('log'), runId: z.string(), level: z.enum(['info', 'warning', 'error']), message: z.string().max(2000) }),
]);
export type TrainingEvent = z.infer<typeof TrainingEvent>;

/** First `n` seconds of a window, i.e. K+M frames at the model fps. */
export const windowFrames = (g: ModelGeometry): number => g.framesPerSegment + g.motionFrames;
export const minClipSec = (g: ModelGeometry): number => windowFrames(g) / g.fps;
