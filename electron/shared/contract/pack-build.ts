/**
 * Building a model pack from the user's own pretrained weights (issue 20): look into the source folders (what
 * was recognised), estimate what the pack will need before anything heavy runs, then build it (import ->
 * sd15 network -> ONNX export -> validation) as a job with progress and cancel. Turning a training run into a
 * pack is `training.exportPack`.
 */
import { z } from 'zod';
import { channel, HostPath } from './channel';

export const SOURCE_KINDS = ['sd15', 'ast', 'animateAnyone', 'motionModule'] as const;
export const SourceKind = z.enum(SOURCE_KINDS);
export type SourceKind = z.infer<typeof SourceKind>;

export const PackSources = z
  .object({
    /** diffusers-format Stable Diffusion 1.5 folder (unet/, vae/, text_encoder/, tokenizer/). */
    sd15: HostPath,
    /** transformers-format AST folder (config.json + model.safetensors | pytorch_model.bin). */
    ast: HostPath.optional(),
    /** Moore-AnimateAnyone folder with reference_unet.pth, denoising_unet.pth, motion_module.pth. */
    animateAnyone: HostPath.optional(),
    /** AnimateDiff motion module file (mm_sd_v15*.ckpt | .safetensors). */
    motionModule: HostPath.optional(),
  })
  .strict();
export type PackSources = z.infer<typeof PackSources>;

/** The pack's fixed shapes (graphs are static): multiples of 8 pixels, K frames per segment. */
export const BuildSize = z
  .object({
    height: z.number().int().min(64).max(1024).multipleOf(8),
    width: z.number().int().min(64).max(1024).multipleOf(8),
    frames: z.number().int().min(1).max(96),
  })
  .strict();
export type BuildSize = z.infer<typeof BuildSize>;
export const DEFAULT_BUILD_SIZE: BuildSize = { height: 256, width: 256, frames: 4 };

export const SourceProbe = z.object({
  kind: SourceKind,
  path: z.string().max(4096),
  /** True when everything the importer needs is there. */
  ok: z.boolean(),
  found: z.array(z.object({ role: z.string().max(100), file: z.string().max(4096), bytes: z.number().int().min(0) })).max(100),
  missing: z.array(z.string().max(300)).max(50),
  notes: z.array(z.string().max(500)).max(20),
});
export type SourceProbe = z.infer<typeof SourceProbe>;

export const MemoryPart = z.object({ what: z.string().max(500), bytes: z.number() });

/** The engine's estimate of running the pack (inference), plus what the builder needs. */
export const PackBuildEstimate = z.object({
  size: BuildSize,
  /** From the source tensors' shapes (the config the importer will use); null when unknown. */
  parameters: z.number().nullable(),
  /** Expected pack size on disk. */
  packBytes: z.number().nullable(),
  gpu: z.object({ peakBytes: z.number(), secondsPerSegment: z.number(), parts: z.array(MemoryPart) }),
  cpu: z.object({ peakBytes: z.number(), secondsPerSegment: z.number(), parts: z.array(MemoryPart) }),
  steps: z.number().int(),
  /** RAM the build itself needs (one graph exported at a time), when the builder says. */
  buildBytes: z.number().nullable(),
  freeMemoryBytes: z.number(),
  summary: z.string().max(4000),
});
export type PackBuildEstimate = z.infer<typeof PackBuildEstimate>;

export const PackBuildReply = z.object({
  packDir: z.string(),
  name: z.string(),
  manifestPath: z.string(),
  bytes: z.number(),
  seconds: z.number(),
  /** Inference engine validation of the result. */
  loadCheck: z.string(),
  /** What was loaded, ignored and freshly initialised per component (also stored in the manifest). */
  report: z.record(z.string(), z.unknown()).nullable(),
  estimate: PackBuildEstimate.nullable(),
  /** The builder's peak resident memory, when it reports it. */
  peakRssBytes: z.number().nullable(),
});
export type PackBuildReply = z.infer<typeof PackBuildReply>;

export const packBuildChannels = {
  'pack.probeSources': channel({
    summary: 'Look into weight source folders/files and list the files recognised in each (nothing is loaded)',
    request: z.object({ sources: PackSources.partial().strict() }).strict(),
    reply: z.object({ probes: z.array(SourceProbe) }),
  }),
  'pack.buildEstimate': channel({
    summary: 'Estimate a pack build from weight sources at a size: parameters, size on disk, GPU/CPU memory, seconds per segment',
    request: z.object({ sources: PackSources, size: BuildSize }).strict(),
    reply: PackBuildEstimate,
    job: true,
  }),
  'pack.build': channel({
    summary: 'Build a model pack from SD1.5 (+ AST, Moore-AnimateAnyone, AnimateDiff) weights: import, export to ONNX, validate',
    /** Without `out` the pack goes into the studio's pack list (`<data dir>/packs/<name>`). */
    request: z
      .object({ sources: PackSources, size: BuildSize, out: HostPath.optional(), name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'pack names are 1-100 letters, digits, "_", "." or "-"').optional() })
      .strict(),
    reply: PackBuildReply,
    job: true,
  }),
} as const;
