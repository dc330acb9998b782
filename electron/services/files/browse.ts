/**
 * Folder listings for the browser host's file picker, confined to the allowed roots: a path outside every
 * root (after resolving symlinks) is refused, so a page on 127.0.0.1 sees only what the user chose to expose.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { MAX_LISTED_ENTRIES, type BrowseRoot, type FileEntry } from '../../shared/contract/files';

export const FilesErrorCodes = { outside: 'FILES_OUTSIDE_ROOTS', notFound: 'FILES_NOT_FOUND', notFolder: 'FILES_NOT_A_FOLDER' } as const;

/** Roots from `MUSEDANCE_BROWSE_ROOTS` (path-list separated), else the home folder. */
export function browseRoots(env: NodeJS.ProcessEnv = process.env): BrowseRoot[] {
  const listed = (env.MUSEDANCE_BROWSE_ROOTS ?? '').split(path.delimiter).filter(Boolean);
  const dirs = listed.length ? listed : [os.homedir()];
  return dirs.map((d) => ({ label: path.basename(path.resolve(d)) || path.resolve(d), path: path.resolve(d) }));
}

const within = (root: string, p: string) => {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

export async function listFolder(roots: BrowseRoot[], dir: string | undefined, showHidden = false) {
  if (!roots.length) throw new StudioError(FilesErrorCodes.outside, 'No folders are shared with the studio (set MUSEDANCE_BROWSE_ROOTS).');
  const wanted = path.resolve(dir ?? roots[0]!.path);
  const real = await fs.realpath(wanted).catch(() => null);
  if (!real) throw new StudioError(FilesErrorCodes.notFound, `${wanted} does not exist.`);
  const realRoots = await Promise.all(roots.map(async (r) => ({ ...r, real: await fs.realpath(r.path).catch(() => r.path) })));
  const root = realRoots.find((r) => within(r.real, real));
  if (!root) throw new StudioError(FilesErrorCodes.outside, `${wanted} is outside the folders the studio may browse (${roots.map((r) => r.path).join(', ')}).`);
  const stat = await fs.stat(real);
  if (!stat.isDirectory()) throw new StudioError(FilesErrorCodes.notFolder, `${wanted} is not a folder.`);
  const names = (await fs.readdir(real)).filter((n) => showHidden || !n.startsWith('.'));
  const entries: FileEntry[] = [];
  for (const name of names) {
    const full = path.join(real, name);
    const s = await fs.stat(full).catch(() => null);
    if (!s || (!s.isDirectory() && !s.isFile())) continue;
    // A link that leads outside every root is not offered (opening it would be refused anyway).
    if ((await fs.lstat(full)).isSymbolicLink()) {
      const target = await fs.realpath(full).catch(() => null);
      if (!target || !realRoots.some((r) => within(r.real, target))) continue;
    }
    const isProject = s.isDirectory() && !!(await fs.stat(path.join(full, 'project.json')).catch(() => null));
    entries.push({ name, path: full, kind: s.isDirectory() ? 'folder' : 'file', sizeBytes: s.isFile() ? s.size : 0, modifiedMs: s.mtimeMs, isProject });
  }
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
  return {
    dir: real,
    parent: real === root.real ? null : path.dirname(real),
    roots: roots.map(({ label, path: p }) => ({ label, path: p })),
    entries: entries.slice(0, MAX_LISTED_ENTRIES),
    truncated: entries.length > MAX_LISTED_ENTRIES,
  };
}
