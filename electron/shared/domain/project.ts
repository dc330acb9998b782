/**
 * Project model (the document a user edits). Version 1 is the foundation's format; storage hardening
 * (issue 10) adds versions with migrations. Later features extend these types instead of inventing their own.
 * Bounds on every array and string keep hostile or corrupt documents from exhausting memory.
 */
import { z } from 'zod';

export const MAX_PROMPT_CHARS = 1000;
export const MAX_BEATS = 20_000;
export const MAX_SEGMENTS = 5_000;
export const MAX_TAKES_PER_SEGMENT = 100;

/** A path inside the project folder: relative, forward slashes, no `..`, no absolute or drive paths. */
export const ProjectRelPath = z
  .string()
  .min(1)
  .max(512)
  .refine(
    (p) => !p.startsWith('/') && !/^[A-Za-z]:/.test(p) && !p.includes('\\') && !p.split('/').some((s) => s === '..' || s === '' || s === '.') && !p.includes('\0'),
    'path must be relative to the project and stay inside it',
  );

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits');

export const MediaRef = z.object({
  /** Content-addressed copy inside the project, e.g. `media/<sha256>.wav`. */
  path: ProjectRelPath,
  sha256: Sha256Hex,
  /** The file name the user imported, for display only. */
  originalName: z.string().max(255),
});
export type MediaRef = z.infer<typeof MediaRef>;

export const MarkerId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const BeatMarker = z.object({
  id: MarkerId,
  timeSec: z.number().finite().min(0).max(24 * 3600),
  /** `detected` came from the tracker; `user` was added or moved by hand. */
  source: z.enum(['detected', 'user']),
  /** Anchored beats survive re-detection of their region. */
  anchored: z.boolean(),
});
export type BeatMarker = z.infer<typeof BeatMarker>;

export const Take = z.object({
  id: MarkerId,
  /** Video frames of this take inside the project (`takes/<id>/...`). */
  path: ProjectRelPath,
  createdAt: z.string().max(40),
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  steps: z.number().int().min(1).max(1000),
  guidance: z.number().finite().min(0).max(50),
  packId: z.string().max(128),
  /** Set when an earlier segment was re-rolled after this take was made. */
  stale: z.boolean().default(false),
});
export type Take = z.infer<typeof Take>;

export const Segment = z.object({
  id: MarkerId,
  startFrame: z.number().int().min(0),
  /** K: frames in this segment (paper: 48 = 4 s at 12 fps). */
  frames: z.number().int().min(1).max(1024),
  prompt: z.string().max(MAX_PROMPT_CHARS),
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  colour: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  takes: z.array(Take).max(MAX_TAKES_PER_SEGMENT),
  /** Id of the take the user keeps; null until one is chosen. */
  keptTakeId: MarkerId.nullable().default(null),
});
export type Segment = z.infer<typeof Segment>;

export const ProjectV1 = z.object({
  version: z.literal(1),
  name: z.string().min(1).max(200),
  song: MediaRef.nullable(),
  referenceImage: MediaRef.nullable(),
  beats: z.array(BeatMarker).max(MAX_BEATS),
  segments: z.array(Segment).max(MAX_SEGMENTS),
  /** Model frame rate (paper: 12 fps). */
  fps: z.number().int().min(1).max(60),
  /** K: frames per segment (paper: 48). */
  framesPerSegment: z.number().int().min(1).max(1024),
});
export type ProjectV1 = z.infer<typeof ProjectV1>;

/** The current project format. Issue 10 bumps this with a migration. */
export const Project = ProjectV1;
export type Project = ProjectV1;
export const PROJECT_VERSION = 1 as const;

export const emptyProject = (name: string): Project => ({
  version: PROJECT_VERSION,
  name,
  song: null,
  referenceImage: null,
  beats: [],
  segments: [],
  fps: 12,
  framesPerSegment: 48,
});
