/**
 * Project model (the document a user edits). Version 1 is the foundation's format; version 2 (issue 10) adds
 * identity and save metadata used by backups and crash recovery. Older versions are upgraded by
 * `project-migrations.ts`; later features extend these types (additively, with defaults) instead of inventing
 * their own. Bounds on every array and string keep hostile or corrupt documents from exhausting memory.
 */
import { z } from 'zod';

export const MAX_PROMPT_CHARS = 1000;
export const MAX_BEATS = 20_000;
export const MAX_SEGMENTS = 5_000;
export const MAX_TAKES_PER_SEGMENT = 100;
/** Bars of a 24-hour song at 400 BPM in 1/4. */
export const MAX_BAR_NUMBER = 1_000_000;

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
  /** Set on a downbeat: the number of the bar it starts (from the network tracker or a marker file). Optional:
   * projects from before bars were tracked load unchanged. */
  bar: z.number().int().min(1).max(MAX_BAR_NUMBER).optional(),
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

/** Identifies a project across saves, copies and renames of its folder (recent list, lock, recovery). */
export const ProjectId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'project id must be 8-64 letters, digits, "_" or "-"');

/** An ISO-8601 time as written by `Date.prototype.toISOString`. */
export const IsoTime = z.string().max(40).regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'time must be ISO-8601 UTC');

/** Why a copy of the project was written. */
export const SaveKind = z.enum(['new', 'save', 'save-as', 'autosave', 'migration', 'recovery']);
export type SaveKind = z.infer<typeof SaveKind>;

export const SaveInfo = z.object({
  /** Grows with every write of this project (saves, autosaves, backups), so "newest" never depends on clocks. */
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  savedAt: IsoTime,
  kind: SaveKind,
  /** Studio version that wrote it (support, and refusing files from the future with a useful message). */
  appVersion: z.string().max(40),
});
export type SaveInfo = z.infer<typeof SaveInfo>;

export const ProjectV2 = ProjectV1.omit({ version: true }).extend({
  version: z.literal(2),
  id: ProjectId,
  createdAt: IsoTime,
  saved: SaveInfo,
  /** Format versions this document was upgraded from, oldest first. */
  migratedFrom: z.array(z.number().int().min(1).max(1000)).max(32).default([]),
});
export type ProjectV2 = z.infer<typeof ProjectV2>;

/** The current project format. Bump with a new ProjectVn, a migration step and a committed fixture. */
export const Project = ProjectV2;
export type Project = ProjectV2;
export const PROJECT_VERSION = 2 as const;

const randomProjectId = (): string => {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
};

export const emptyProject = (name: string, options: { id?: string; now?: Date; appVersion?: string } = {}): Project => {
  const now = (options.now ?? new Date()).toISOString();
  return {
    version: PROJECT_VERSION,
    id: options.id ?? randomProjectId(),
    createdAt: now,
    saved: { seq: 0, savedAt: now, kind: 'new', appVersion: options.appVersion ?? '0.0.0' },
    migratedFrom: [],
    name,
    song: null,
    referenceImage: null,
    beats: [],
    segments: [],
    fps: 12,
    framesPerSegment: 48,
  };
};
