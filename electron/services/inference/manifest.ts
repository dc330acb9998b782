/**
 * zod mirror of `native-models/schemas/manifest.schema.json` (schema version 1). The JSON Schema is
 * normative; `test/unit/inference/manifest-schema.test.ts` checks that both accept/refuse the same fields.
 */
import { z } from 'zod';

export const MANIFEST_FILE = 'manifest.json';
export const GRAPH_NAMES = ['text_encoder', 'audio_encoder', 'vae_encoder', 'vae_decoder', 'reference_net', 'unet'] as const;
export type GraphName = (typeof GRAPH_NAMES)[number];

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
/** Relative path inside the pack: no leading '/', no '..', a conservative character set. */
export const PackRelPath = z
  .string()
  .min(1)
  .max(512)
  .regex(/^(?!\/)(?!.*\.\.)[A-Za-z0-9_./-]+$/, 'must be a relative path inside the pack (letters, digits, _ . / -; no "..")');
const PosInt = z.number().int().min(1);

export const TensorSpec = z
  .object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
    dtype: z.enum(['float32', 'float16', 'int64']),
    shape: z.array(PosInt).min(1).max(8),
  })
  .strict();
export type TensorSpec = z.infer<typeof TensorSpec>;

export const GraphSpec = z
  .object({
    file: PackRelPath,
    sha256: Sha256,
    externalData: PackRelPath.optional(),
    opset: z.number().int().optional(),
    inputs: z.array(TensorSpec).min(1).max(256),
    outputs: z.array(TensorSpec).min(1).max(256),
  })
  .strict();
export type GraphSpec = z.infer<typeof GraphSpec>;

export const Manifest = z
  .object({
    schemaVersion: z.literal(1),
    name: z.string().min(1).max(100),
    description: z.string().max(10_000).optional(),
    createdAt: z.string().max(100),
    precision: z.enum(['fp32', 'fp16']),
    config: z
      .object({
        name: z.string().max(100),
        height: PosInt,
        width: PosInt,
        fps: z.number().positive(),
        framesPerSegment: PosInt,
        motionFrames: PosInt,
        latentChannels: PosInt,
        vaeDownsample: z.union([z.literal(2), z.literal(4), z.literal(8), z.literal(16)]),
        scalingFactor: z.number().positive(),
        textMaxLength: z.literal(77),
        textDim: PosInt,
        audioDim: PosInt,
        musicTokens: PosInt,
        guideChannels: z.number().int().min(0),
        arch: z.record(z.string(), z.unknown()),
      })
      .strict(),
    audio: z
      .object({
        sampleRateHz: z.literal(16000),
        numMelBins: z.literal(128),
        fbankFrames: PosInt,
        frameShiftMs: z.literal(10),
        frameLengthMs: z.literal(25),
        normMean: z.number(),
        normStd: z.number().positive(),
        segmentSamples: PosInt,
      })
      .strict(),
    beats: z.object({ rule: z.literal('floor((beatSec - segmentStartSec) * fps + 0.5)') }).passthrough(),
    cfg: z
      .object({
        rows: z.tuple([z.literal('conditional'), z.literal('unconditional')]),
        blankedInputs: z.tuple([z.literal('text_embeds'), z.literal('music_tokens'), z.literal('beat_onehot')]),
        blankValue: z.object({ text_embeds: z.literal('empty_prompt'), music_tokens: z.literal('zeros'), beat_onehot: z.literal('zeros') }).strict(),
      })
      .strict(),
    firstSegmentMotion: z.literal('reference_latent_repeated'),
    scheduler: z
      .object({
        type: z.literal('ddim'),
        numTrainTimesteps: PosInt,
        betaSchedule: z.enum(['scaled_linear', 'linear']),
        betaStart: z.number().positive(),
        betaEnd: z.number().positive(),
        predictionType: z.literal('epsilon'),
        timestepSpacing: z.literal('leading'),
        stepsOffset: z.number().int().min(0),
        setAlphaToOne: z.boolean(),
        clipSample: z.literal(false),
        eta: z.literal(0),
        defaultNumSteps: PosInt,
        defaultGuidanceScale: z.number().min(0),
      })
      .strict(),
    graphs: z
      .object({
        text_encoder: GraphSpec,
        audio_encoder: GraphSpec,
        vae_encoder: GraphSpec,
        vae_decoder: GraphSpec,
        reference_net: GraphSpec,
        unet: GraphSpec,
      })
      .strict(),
    tokenizer: z
      .object({
        vocab: PackRelPath,
        merges: PackRelPath,
        maxLength: z.literal(77),
        bosTokenId: z.number().int().min(0),
        eosTokenId: z.number().int().min(0),
        padTokenId: z.number().int().min(0),
        vocabSize: PosInt,
      })
      .strict(),
    weights: z.object({ file: PackRelPath, sha256: Sha256, dtype: z.literal('float16') }).strict(),
    golden: z.object({ index: PackRelPath }).strict().optional(),
    files: z
      .record(PackRelPath, z.object({ sha256: Sha256, bytes: z.number().int().min(0) }).strict())
      .refine((files) => Object.keys(files).length >= 1, 'must list at least one file'),
    training: z.record(z.string(), z.unknown()).optional(),
    /** Sizes on disk (issue 20): the whole pack, each graph with its external data, the PyTorch weights. */
    sizes: z
      .object({ totalBytes: z.number().int().min(0), graphs: z.record(z.string(), z.number().int().min(0)), weightsBytes: z.number().int().min(0).optional() })
      .passthrough()
      .optional(),
    /** The exporter's inference memory estimate at the pack's own shape (informative; the engine computes its own). */
    memory: z
      .object({
        height: PosInt.optional(),
        width: PosInt.optional(),
        frames: PosInt.optional(),
        weightsBytes: z.number().min(0).optional(),
        activationBytes: z.number().min(0).optional(),
        peakBytes: z.number().min(0).optional(),
        unetFlops: z.number().min(0).optional(),
        method: z.string().max(2000).optional(),
      })
      .passthrough()
      .optional(),
    /** What `pack build` imported: sources, and per component what was loaded, deliberately ignored, freshly initialised. */
    importReport: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type Manifest = z.infer<typeof Manifest>;

/** "graphs.unet.inputs.3.shape: ..." — the first few zod issues, each naming its field. */
export const describeManifestIssues = (error: z.ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(manifest)'}: ${issue.message}`)
    .join('; ');
