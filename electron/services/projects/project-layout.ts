/**
 * What a project folder holds and how paths inside it are checked:
 *   project.json            the saved document (atomic writes)
 *   project.autosave.json   the newest unsaved state (written by autosave; offered on open after a crash)
 *   project.lock            who has the project open (pid, host); stale after a crash
 *   backups/                the previous project.json files (last BACKUPS_KEPT) + the original of a migrated file
 *   media/                  imported files, named by content hash
 *   takes/                  generated video frames
 *   cache/                  derived data, safe to delete at any time
 */
import fs from 'node:fs';
import path from 'node:path';
import { ProjectRelPath } from '../../shared/domain/project';
import { isInside } from '../media-roots';

export const PROJECT_FILE = 'project.json';
export const AUTOSAVE_FILE = 'project.autosave.json';
export const LOCK_FILE = 'project.lock';
export const BACKUP_DIR = 'backups';
export const CONTENT_DIRS = ['media', 'takes', 'cache'] as const;
export const BACKUPS_KEPT = 10;
/** project.json larger than this is refused before reading (a real one is a few MB at most). */
export const MAX_PROJECT_FILE_BYTES = 32 * 1024 * 1024;
/** Deepest JSON nesting in a project file (the real format needs 6). */
export const MAX_PROJECT_JSON_DEPTH = 32;

export const projectFile = (root: string) => path.join(root, PROJECT_FILE);
export const autosaveFile = (root: string) => path.join(root, AUTOSAVE_FILE);
export const lockFile = (root: string) => path.join(root, LOCK_FILE);
export const backupDir = (root: string) => path.join(root, BACKUP_DIR);

/** Absolute, normalised folder of a user-given path. */
export const resolveProjectDir = (dir: string): string => path.resolve(dir);

/**
 * Absolute path of a project-relative path, or null when it is malformed (absolute, `..`, backslashes, NUL)
 * or leaves the project through a symlink. Missing files resolve (lexically checked) so callers can create them.
 */
export function resolveInsideProject(root: string, rel: string): string | null {
  if (!ProjectRelPath.safeParse(rel).success) return null;
  const candidate = path.resolve(root, rel);
  if (!isInside(root, candidate)) return null;
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    return null;
  }
  // Walk up to the deepest existing ancestor: a symlinked folder on the way must not lead outside.
  let probe = candidate;
  for (;;) {
    try {
      const real = fs.realpathSync(probe);
      return real === realRoot || isInside(realRoot, real) ? candidate : null;
    } catch {
      // Exists but cannot be resolved: a dangling symlink, which a write would follow wherever it points.
      if (lstatOrNull(probe)) return null;
      const parent = path.dirname(probe);
      if (parent === probe) return null;
      probe = parent;
    }
  }
}

const lstatOrNull = (p: string): fs.Stats | null => {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
};
