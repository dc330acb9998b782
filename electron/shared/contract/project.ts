import { z } from 'zod';
import { channel, HostPath } from './channel';
import { IsoTime, Project, ProjectId } from '../domain/project';

/** An absolute or user-typed folder path; the service resolves and checks it. */
export const FolderPath = HostPath;

/** The store's document revision (grows on every edit); stale saves that arrive late are skipped. */
export const DocRevision = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Who holds a project's lock file. */
export const LockInfo = z.object({
  pid: z.number().int(),
  host: z.string().max(255),
  instanceId: z.string().max(64),
  acquiredAt: z.string().max(40),
  appVersion: z.string().max(40),
  /** Linux: boot id and the process's start time, so a pid reused after a reboot or crash is not mistaken for the holder. */
  bootId: z.string().max(64).optional(),
  processStart: z.string().max(32).optional(),
});
export type LockInfo = z.infer<typeof LockInfo>;

export const RecoveryHint = z.object({
  /** A copy newer than project.json exists (an autosave left by a crash or a kill). */
  available: z.boolean(),
  /** The previous session did not close the project (its lock was stale). */
  crashed: z.boolean(),
  candidates: z.number().int().min(0),
});

export const OpenedProject = z.object({
  dir: z.string(),
  project: Project,
  /** Saves are refused; set when another instance holds the lock or when asked for. */
  readOnly: z.boolean(),
  readOnlyReason: z.string().nullable(),
  lockHolder: LockInfo.nullable(),
  /** Format version the file had before it was upgraded on open; null when it was current. */
  migratedFrom: z.number().int().nullable(),
  recovery: RecoveryHint,
  /** Non-fatal problems: missing media files, paths that leave the project (not served). */
  warnings: z.array(z.string()),
});
export type OpenedProject = z.infer<typeof OpenedProject>;

export const SaveReply = z.object({
  savedAt: z.string(),
  /** The project's write counter after this save. */
  seq: z.number().int(),
  revision: DocRevision,
  target: z.enum(['project', 'autosave']),
  /** True when a newer revision was already written (an out-of-order autosave): nothing was written. */
  skipped: z.boolean(),
  backups: z.number().int(),
});

export const ProjectSummary = z.object({
  name: z.string(),
  beats: z.number().int(),
  userBeats: z.number().int(),
  segments: z.number().int(),
  prompts: z.number().int(),
  takes: z.number().int(),
  song: z.string().nullable(),
  referenceImage: z.string().nullable(),
  seq: z.number().int(),
  savedAt: z.string(),
});

export const RecoveryCandidate = z.object({
  /** Pass to `project.recover`: `autosave` or `backup:<file name>`. */
  id: z.string().max(200),
  kind: z.enum(['autosave', 'backup']),
  file: z.string(),
  summary: ProjectSummary,
  /** Human lines: how this copy differs from project.json (empty when identical). */
  differences: z.array(z.string()),
  newerThanSaved: z.boolean(),
});
export type RecoveryCandidate = z.infer<typeof RecoveryCandidate>;

export const RecoveryReport = z.object({
  dir: z.string(),
  saved: z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), summary: ProjectSummary, migratedFrom: z.number().int().nullable() }),
    z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
  ]),
  crashed: z.boolean(),
  lockHolder: LockInfo.nullable(),
  /** Newest first. Unreadable copies are listed in `skipped`, never offered. */
  candidates: z.array(RecoveryCandidate),
  skipped: z.array(z.object({ file: z.string(), reason: z.string() })),
  /** The copy to offer: newest one newer than project.json, or the newest readable one when project.json is broken. */
  recommended: z.string().nullable(),
});
export type RecoveryReport = z.infer<typeof RecoveryReport>;

export const ValidationReport = z.object({
  valid: z.boolean(),
  dir: z.string(),
  version: z.number().int().nullable(),
  currentVersion: z.number().int(),
  needsMigration: z.boolean(),
  name: z.string().nullable(),
  beats: z.number().int(),
  segments: z.number().int(),
  backups: z.number().int(),
  lockHolder: LockInfo.nullable(),
  recoveryAvailable: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  warnings: z.array(z.string()),
});

export const RecentProject = z.object({
  dir: z.string(),
  name: z.string(),
  id: ProjectId.nullable(),
  openedAt: IsoTime,
  /** project.json is still there. */
  exists: z.boolean(),
});

const ProjectName = z.string().min(1).max(200);

export const projectChannels = {
  'project.new': channel({
    summary: 'Create a new project folder and open it',
    request: z.object({ dir: FolderPath, name: ProjectName }).strict(),
    reply: OpenedProject,
  }),
  'project.open': channel({
    summary: 'Open a project folder (read-only when another instance has it open)',
    request: z.object({ dir: FolderPath, readOnly: z.boolean().optional() }).strict(),
    reply: OpenedProject,
  }),
  'project.save': channel({
    summary: 'Save the open project atomically (autosave: to the recovery copy)',
    request: z.object({ project: Project, revision: DocRevision, autosave: z.boolean().default(false) }).strict(),
    reply: SaveReply,
  }),
  'project.saveAs': channel({
    summary: 'Save the open project into a new folder, with its media and takes, and switch to it',
    request: z.object({ dir: FolderPath, project: Project, revision: DocRevision, name: ProjectName.optional() }).strict(),
    reply: OpenedProject,
    job: true,
  }),
  'project.close': channel({
    summary: 'Close the open project (refused while autosaved changes are unsaved, unless discarded)',
    request: z.object({ discardUnsaved: z.boolean().default(false) }).strict(),
    reply: z.object({ closed: z.boolean(), discardedUnsaved: z.boolean() }),
  }),
  'project.current': channel({
    summary: 'The project open in this studio, if any',
    request: z.object({}).strict(),
    reply: z.object({ open: OpenedProject.nullable(), unsavedChanges: z.boolean() }),
  }),
  'project.recent': channel({
    summary: 'Recently opened projects, newest first',
    request: z.object({}).strict(),
    reply: z.object({ projects: z.array(RecentProject) }),
  }),
  'project.forgetRecent': channel({
    summary: 'Remove a folder from the recent projects list',
    request: z.object({ dir: FolderPath }).strict(),
    reply: z.object({ projects: z.array(RecentProject) }),
  }),
  'project.inspect': channel({
    summary: 'List recovery copies (autosave, backups) of a project and how each differs from the saved file',
    request: z.object({ dir: FolderPath.optional() }).strict(),
    reply: RecoveryReport,
  }),
  'project.recover': channel({
    summary: 'Restore a recovery copy as the saved project (null: discard the autosave) and open it',
    request: z.object({ dir: FolderPath, candidateId: z.string().min(1).max(200).nullable() }).strict(),
    reply: OpenedProject,
  }),
  'project.validate': channel({
    summary: 'Check a project folder without opening, locking or changing it',
    request: z.object({ dir: FolderPath }).strict(),
    reply: ValidationReport,
  }),
} as const;
