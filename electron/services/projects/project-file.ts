/**
 * Reading and writing project documents on disk: every read goes through the size limit, the safe JSON
 * reader and the migrations; every write is atomic; backups are hard links to the replaced project.json
 * (cheap, and safe because saves never modify a file in place — they rename a new one over it).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Project } from '../../shared/domain/project';
import { migrateProject, type MigrationContext } from '../../shared/domain/project-migrations';
import { parseJsonSafely } from '../../shared/safe-json';
import { fsyncDir, readTextLimited, writeFileAtomic } from '../util/atomic-file';
import { BACKUPS_KEPT, backupDir, MAX_PROJECT_FILE_BYTES, MAX_PROJECT_JSON_DEPTH } from './project-layout';
import { readRegularText } from '../util/safe-open';

export type ReadOutcome =
  | { ok: true; project: Project; fromVersion: number; migrated: boolean; text: string }
  | { ok: false; code: string; message: string };

const MB = 1024 * 1024;

/**
 * Reads, size-checks, safely parses and migrates one project document. Never throws for bad content. With
 * `root`, a file that resolves (through a symlink, of itself or of a folder on the way) outside that folder is
 * refused without being opened, so no byte of it can show up in a message.
 */
export async function readProjectFile(file: string, ctx: MigrationContext, options: { root?: string } = {}): Promise<ReadOutcome> {
  const name = path.basename(file);
  const read = options.root === undefined ? await readTextLimited(file, MAX_PROJECT_FILE_BYTES) : await readInside(file, options.root);
  if (!read.ok && read.reason === 'outside') return { ok: false, code: 'PROJECT_OUTSIDE', message: `${name} leads outside the project folder (a symlink); it is not read.` };
  if (!read.ok) {
    if (read.reason === 'missing') return { ok: false, code: 'PROJECT_NOT_FOUND', message: `No ${name} in ${path.dirname(file)}.` };
    if (read.reason === 'not-a-file') return { ok: false, code: 'PROJECT_CORRUPT', message: `${name} is not a regular file.` };
    return { ok: false, code: 'PROJECT_TOO_LARGE', message: `${name} is ${(read.bytes / MB).toFixed(1)} MB; the limit is ${MAX_PROJECT_FILE_BYTES / MB} MB.` };
  }
  const parsed = parseJsonSafely(read.text, { maxChars: MAX_PROJECT_FILE_BYTES, maxDepth: MAX_PROJECT_JSON_DEPTH });
  if (!parsed.ok) {
    const why = parsed.code === 'JSON_TOO_DEEP' ? `is nested more than ${MAX_PROJECT_JSON_DEPTH} levels deep` : parsed.message;
    return { ok: false, code: 'PROJECT_CORRUPT', message: `${name} is damaged: ${why}.` };
  }
  const migrated = migrateProject(parsed.value, ctx);
  if (!migrated.ok) return { ok: false, code: migrated.code, message: migrated.message.replace(/^project\.json/, name) };
  return { ok: true, project: migrated.project, fromVersion: migrated.fromVersion, migrated: migrated.migrated, text: read.text };
}

async function readInside(file: string, root: string): Promise<Awaited<ReturnType<typeof readTextLimited>> | { ok: false; reason: 'outside'; bytes: 0 }> {
  try {
    const { text } = await readRegularText(file, { root, maxBytes: MAX_PROJECT_FILE_BYTES });
    return { ok: true, text, bytes: Buffer.byteLength(text) };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FILE_OUTSIDE_ROOT') return { ok: false, reason: 'outside', bytes: 0 };
    if (code === 'FILE_NOT_REGULAR') return { ok: false, reason: 'not-a-file', bytes: 0 };
    if (code === 'FILE_TOO_LARGE') return { ok: false, reason: 'too-large', bytes: MAX_PROJECT_FILE_BYTES + 1 };
    return { ok: false, reason: 'missing', bytes: 0 };
  }
}

export const serializeProject = (project: Project): string => JSON.stringify(project, null, 1) + '\n';

export async function writeProjectFile(file: string, project: Project): Promise<void> {
  await writeFileAtomic(file, serializeProject(project));
}

/** Rolling backups are `backups/project.<seq>.json` (seq zero-padded so names sort by age). */
const BACKUP_RE = /^project\.(\d{12})\.json$/;
export const backupName = (seq: number): string => `project.${String(seq).padStart(12, '0')}.json`;
/** Files in backups/ that recovery may offer: rolling backups, migration originals, unreadable files set aside. */
export const RECOVERABLE_BACKUP_RE = /^project\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.json$/;

export async function listBackupFiles(root: string): Promise<string[]> {
  try {
    const names = await fs.readdir(backupDir(root));
    return names.filter((n) => RECOVERABLE_BACKUP_RE.test(n)).sort().reverse();
  } catch {
    return [];
  }
}

export const backupSeq = (name: string): number | null => {
  const m = BACKUP_RE.exec(name);
  return m ? Number(m[1]) : null;
};

/**
 * Keeps `file` as backup `name` (hard link; a copy where links are unsupported). Existing backups are left
 * alone: the same name means the same content (names carry the write counter).
 */
export async function keepAsBackup(root: string, file: string, name: string): Promise<boolean> {
  await fs.mkdir(backupDir(root), { recursive: true });
  const target = path.join(backupDir(root), name);
  try {
    await fs.link(file, target);
    await fsyncDir(backupDir(root));
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    await fs.copyFile(file, target, fs.constants.COPYFILE_EXCL).catch(() => {});
    return true;
  }
}

/** Deletes rolling backups beyond the newest `keep`; returns how many rolling backups remain. */
export async function pruneBackups(root: string, keep = BACKUPS_KEPT): Promise<number> {
  const rolling = (await listBackupFiles(root)).filter((n) => BACKUP_RE.test(n));
  for (const name of rolling.slice(keep)) await fs.rm(path.join(backupDir(root), name), { force: true });
  return Math.min(rolling.length, keep);
}
