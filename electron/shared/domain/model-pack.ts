/**
 * What the renderer and the CLI learn about a model pack (the manifest itself stays in the services).
 * Pure zod: safe to import from the renderer.
 */
import { z } from 'zod';

export const PackId = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'pack id must be 1-100 letters, digits, "_", "." or "-"');

export const PackSummary = z.object({
  /** Folder name; unique among bundled + user packs (bundled wins on a clash). */
  id: PackId,
  name: z.string().max(100),
  dir: z.string().max(4096),
  source: z.enum(['bundled', 'user', 'path']),
  /** null when the pack is valid, else why it cannot be used. */
  problem: z.object({ code: z.string().max(64), message: z.string().max(2000) }).nullable(),
  height: z.number().int().nullable(),
  width: z.number().int().nullable(),
  fps: z.number().nullable(),
  framesPerSegment: z.number().int().nullable(),
  motionFrames: z.number().int().nullable(),
  precision: z.string().max(10).nullable(),
  totalBytes: z.number().nullable(),
  defaultSteps: z.number().int().nullable(),
  defaultGuidance: z.number().nullable(),
});
export type PackSummary = z.infer<typeof PackSummary>;

export const PackValidation = z.object({
  dir: z.string().max(4096),
  valid: z.boolean(),
  name: z.string().max(100).nullable(),
  /** Each check that ran, in order, so `pack validate` shows how far a broken pack got. */
  checks: z.array(z.object({ name: z.string().max(200), ok: z.boolean(), detail: z.string().max(2000) })).max(200),
  error: z.object({ code: z.string().max(64), message: z.string().max(2000) }).nullable(),
});
export type PackValidation = z.infer<typeof PackValidation>;
