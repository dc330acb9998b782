/**
 * Model packs and generation: list/validate packs, estimate a run, generate one segment as a take (first
 * segment, extend, re-roll are the same call with a different `previousTakePath`), read a take's QA, export a
 * sequence of takes with the music. Long calls are jobs (progress + cancel); previews stream as events.
 */
import { z } from 'zod';
import { channel, HostPath, JobId } from './channel';
import { MarkerId, MAX_BEATS, MAX_PROMPT_CHARS, ProjectRelPath, Take } from '../domain/project';
import { PackId, PackSummary, PackValidation } from '../domain/model-pack';
import { ExportAspect, ExportFit, ExportUpscale } from '../domain/export-frame';
import { GenerationSettings } from '../domain/media';

const AnyPath = HostPath;
const Seed = z.number().int().min(0).max(2 ** 32 - 1);
export const StepsCount = z.number().int().min(1).max(200);
export const GuidanceScale = z.number().finite().min(0).max(30);

export const SeamQa = z.object({
  flickerRatio: z.number().nullable(),
  ssimMean: z.number(),
  ssimLast: z.number(),
  beatAlignment: z.number().nullable(),
  /** BAS that random beat times get on the same frames (issue 23): a score within mean + 2 sd is noise. Absent in older takes. */
  beatAlignmentChance: z.object({ mean: z.number(), sd: z.number() }).nullable().optional(),
  /** Where SSIM to the reference was measured: the subject's box or the whole frame. Absent in older takes (whole frame). */
  identityOn: z.enum(['subject', 'frame']).optional(),
  warnings: z.array(z.string().max(300)).max(10),
});
export type SeamQa = z.infer<typeof SeamQa>;
/** A jump across the seam this many times the usual frame-to-frame change reads as a visible cut. */
export const SEAM_FLICKER_WARN_RATIO = 2;
/** Below this SSIM to the reference the subject has drifted from the image the user gave. */
export const SEAM_SSIM_DRIFT_WARN = 0.3;

export const ProviderInfo = z.object({ selected: z.enum(['cuda', 'cpu']), reason: z.string().max(1000) });

export const GenerateSegmentRequest = z
  .object({
    projectDir: AnyPath,
    packId: PackId,
    segmentId: MarkerId,
    /** First frame of the segment in the song's video (segment start = startFrame / fps). */
    startFrame: z.number().int().min(0).max(24 * 3600 * 60),
    prompt: z.string().max(MAX_PROMPT_CHARS),
    seed: Seed,
    steps: StepsCount,
    guidance: GuidanceScale,
    /** The project's (edited) beat markers, seconds from the start of the song. */
    beatsSec: z.array(z.number().finite().min(0).max(24 * 3600)).max(MAX_BEATS),
    /** Reference image and song inside the project. */
    referencePath: ProjectRelPath,
    songPath: ProjectRelPath,
    /** Take folder of the previous segment (extend); null = first segment of the song. */
    previousTakePath: ProjectRelPath.nullable(),
    /** VAE-decode the x0 estimate for the preview every this many steps (0 = never). */
    previewDecodeEvery: z.number().int().min(0).max(200).default(4),
    /** Also encode the take as an MP4 with its music (the studio's preview player uses it). */
    previewVideo: z.boolean().default(true),
  })
  .strict();

export const GenerateSegmentReply = z.object({
  take: Take,
  segmentId: MarkerId,
  /** Project-relative: numbered PNG frames, and a silent preview video of the take. */
  framesDir: z.string(),
  previewVideo: z.string().nullable(),
  frames: z.number().int(),
  fps: z.number(),
  qa: SeamQa,
  timings: z.object({ totalSec: z.number(), secondsPerStep: z.number(), decodeSec: z.number() }),
  provider: ProviderInfo,
});
export type GenerateSegmentReply = z.infer<typeof GenerateSegmentReply>;

export const GenerateEstimate = z.object({
  packId: PackId,
  /** Measured on this machine (a real UNet step) or extrapolated from the pack size when not yet measured. */
  secondsPerStep: z.number(),
  measured: z.boolean(),
  secondsPerSegment: z.number(),
  totalSec: z.number(),
  /** Resident memory the sessions + one segment's tensors need, roughly. */
  memoryBytes: z.number(),
  provider: ProviderInfo,
});

export const TakeInfo = z.object({
  takePath: z.string(),
  qa: SeamQa.nullable(),
  frames: z.number().int(),
  packId: z.string(),
  prompt: z.string(),
  startFrame: z.number().int(),
  previousTakePath: z.string().nullable(),
});

export const generateChannels = {
  'pack.list': channel({
    summary: 'List bundled and installed model packs and the execution provider in use',
    request: z.object({ validate: z.boolean().default(false) }).strict(),
    reply: z.object({ packs: z.array(PackSummary), provider: ProviderInfo }),
  }),
  'pack.validate': channel({
    summary: 'Validate a model pack folder completely (schema, files, sha256, graphs, tokenizer)',
    request: z.object({ dir: AnyPath }).strict(),
    reply: PackValidation,
    job: true,
  }),
  'generate.estimate': channel({
    summary: 'Estimate time and memory of generating N segments with a pack',
    request: z.object({ packId: PackId, steps: StepsCount, segments: z.number().int().min(1).max(5000), measure: z.boolean().default(false) }).strict(),
    reply: GenerateEstimate,
    job: true,
  }),
  'generate.segment': channel({
    summary: 'Generate one segment as a new take (first segment, extend or re-roll)',
    request: GenerateSegmentRequest,
    reply: GenerateSegmentReply,
    job: true,
  }),
  'generate.takeInfo': channel({
    summary: 'Seam QA and settings of a generated take',
    request: z.object({ projectDir: AnyPath, takePath: ProjectRelPath }).strict(),
    reply: TakeInfo,
  }),
  'generate.export': channel({
    summary: 'Export a sequence of takes as one video with the matching music',
    request: z
      .object({
        projectDir: AnyPath,
        takePaths: z.array(ProjectRelPath).min(1).max(5000),
        songPath: ProjectRelPath.nullable(),
        startFrame: z.number().int().min(0),
        fps: z.number().int().min(1).max(60),
        out: AnyPath,
        format: z.enum(['mp4', 'webm', 'gif']).default('mp4'),
        overwrite: z.boolean().default(false),
        /** Export dialog (issue 23): upscale, aspect fit, interpolation, stop at the song's end, settings to embed. */
        upscale: ExportUpscale.default(1),
        aspect: ExportAspect.default('native'),
        fit: ExportFit.default('crop'),
        interpolateFps: z.union([z.literal(24), z.literal(30)]).nullable().default(null),
        trimToSong: z.boolean().default(true),
        settings: GenerationSettings.optional(),
      })
      .strict(),
    reply: z.object({
      out: z.string(),
      frames: z.number().int(),
      durationSec: z.number(),
      sizeBytes: z.number(),
      width: z.number().int().default(0),
      height: z.number().int().default(0),
      hasAudio: z.boolean().default(false),
      settingsStored: z.boolean().default(false),
    }),
    job: true,
  }),
  'generate.monitor': channel({
    summary: 'Assemble the kept takes into one silent, all-keyframe video for the preview monitor (cached by take list)',
    request: z.object({ projectDir: AnyPath, takePaths: z.array(ProjectRelPath).min(1).max(5000), fps: z.number().int().min(1).max(60) }).strict(),
    /** `path` is project-relative (served to the renderer). */
    reply: z.object({ path: z.string(), frames: z.number().int(), cached: z.boolean() }),
    job: true,
  }),
} as const;

export const generateEvents = {
  /** Live preview of a running segment: the x0 estimate as a small PNG (latent->RGB, or VAE-decoded). */
  'generate.preview': z.object({
    jobId: JobId,
    segmentId: MarkerId,
    step: z.number().int(),
    totalSteps: z.number().int(),
    kind: z.enum(['latent', 'decoded']),
    width: z.number().int(),
    height: z.number().int(),
    pngBase64: z.string().max(4_000_000),
  }),
} as const;
