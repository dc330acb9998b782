/**
 * The only folders whose files the renderer may load (through the custom media protocol in Electron or the
 * browser host's /media route): the open project and installed model packs. Everything else is refused.
 */
import fs from 'node:fs';
import path from 'node:path';

export type MediaKind = 'project' | 'pack';

/** Top-level project folders whose files the renderer may load. */
export const PROJECT_SERVED_DIRS: readonly string[] = ['media', 'takes', 'cache'];

export class MediaRoots {
  private projectDir: string | null = null;
  private readonly packDirs = new Map<string, string>();

  setProject(dir: string | null): void {
    this.projectDir = dir ? path.resolve(dir) : null;
  }

  setPack(id: string, dir: string): void {
    this.packDirs.set(id, path.resolve(dir));
  }

  /**
   * Absolute path of `rel` inside the root, or null when it would leave it (`..`, absolute paths, symlinks
   * pointing outside, NUL bytes) or does not exist. For packs, `rel` starts with the pack id.
   */
  resolve(kind: MediaKind, rel: string): string | null {
    let root: string | null | undefined;
    let inner = rel;
    if (kind === 'project') root = this.projectDir;
    else {
      const slash = rel.indexOf('/');
      if (slash <= 0) return null;
      root = this.packDirs.get(rel.slice(0, slash));
      inner = rel.slice(slash + 1);
    }
    if (!root || !inner || inner.includes('\0') || path.isAbsolute(inner)) return null;
    // Inside a project only content folders are served: never project.json, its autosave, backups or lock.
    if (kind === 'project' && !PROJECT_SERVED_DIRS.includes(inner.split(/[\\/]/)[0]!)) return null;
    const candidate = path.resolve(root, inner);
    if (!isInside(root, candidate)) return null;
    try {
      const real = fs.realpathSync(candidate);
      const realRoot = fs.realpathSync(root);
      if (!isInside(realRoot, real) || !fs.statSync(real).isFile()) return null;
      return real;
    } catch {
      return null;
    }
  }
}

export const isInside = (root: string, candidate: string): boolean => {
  const rel = path.relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};
