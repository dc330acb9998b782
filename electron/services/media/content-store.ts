/**
 * Content-addressed media inside a project: `media/<sha256>.<ext>`. The same file imported twice is stored
 * once; a file is written under a temporary name and renamed, so `media/` never holds half a copy.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { StudioError } from '../../shared/result';
import type { MediaRef } from '../../shared/domain/project';

export const MEDIA_DIR = 'media';
const PROJECT_FILE = 'project.json';

export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash, { signal });
  return hash.digest('hex');
}

/** The project folder, resolved; refuses folders that are not projects so a stray path cannot be written into. */
export async function resolveProjectDir(dir: string): Promise<string> {
  const root = path.resolve(dir);
  try {
    await fs.access(path.join(root, PROJECT_FILE));
  } catch {
    throw new StudioError('PROJECT_NOT_FOUND', `${root} is not a project folder (no ${PROJECT_FILE}).`);
  }
  await fs.mkdir(path.join(root, MEDIA_DIR), { recursive: true });
  return root;
}

/** A short, safe extension for the stored copy (`.flac`, `.png`); `bin` when the name has none. */
export function safeExtension(fileName: string, fallback = 'bin'): string {
  const ext = path.extname(fileName).slice(1).toLowerCase();
  return /^[a-z0-9]{1,8}$/.test(ext) ? ext : fallback;
}

/** A sibling temporary path that ffmpeg or a copy writes to before the final rename. */
export const partialPath = (finalPath: string): string =>
  path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.partial-${randomBytes(4).toString('hex')}`);

export interface StoredMedia {
  ref: MediaRef;
  absPath: string;
  /** False when the same content was already in the project. */
  created: boolean;
}

/** Copies `file` into `media/<sha256>.<ext>` of the project (no-op when already there). */
export async function storeFile(projectDir: string, file: string, ext: string, originalName: string, signal?: AbortSignal): Promise<StoredMedia> {
  const sha256 = await sha256File(file, signal);
  return storeAs(projectDir, sha256, ext, originalName, (dest) => fs.copyFile(file, dest));
}

/** Moves an already-written file (e.g. ffmpeg output) into the store under its hash. */
export async function storeGenerated(projectDir: string, tmpFile: string, ext: string, originalName: string, signal?: AbortSignal): Promise<StoredMedia> {
  const sha256 = await sha256File(tmpFile, signal);
  const stored = await storeAs(projectDir, sha256, ext, originalName, (dest) => fs.rename(tmpFile, dest));
  await fs.rm(tmpFile, { force: true });
  return stored;
}

async function storeAs(projectDir: string, sha256: string, ext: string, originalName: string, write: (dest: string) => Promise<void>): Promise<StoredMedia> {
  const rel = `${MEDIA_DIR}/${sha256}.${ext}`;
  const absPath = path.join(projectDir, rel);
  const ref: MediaRef = { path: rel, sha256, originalName: originalName.slice(0, 255) };
  try {
    await fs.access(absPath);
    return { ref, absPath, created: false };
  } catch {
    // not stored yet
  }
  const tmp = partialPath(absPath);
  try {
    await write(tmp);
    await fs.rename(tmp, absPath);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
  return { ref, absPath, created: true };
}

/** Removes files this call created when it fails or is cancelled (never pre-existing ones). */
export async function removeAll(paths: Iterable<string | null | undefined>): Promise<void> {
  await Promise.all([...paths].filter((p): p is string => !!p).map((p) => fs.rm(p, { force: true, recursive: true })));
}
