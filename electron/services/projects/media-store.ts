/**
 * Content-addressed media inside a project: an imported file is copied to `media/<sha256><ext>`, so the same
 * file imported twice is stored once and a project never depends on files outside its folder. The copy is
 * atomic (temp + rename) so a killed import leaves no half file under the final name.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MediaRef } from '../../shared/domain/project';
import { StudioError } from '../../shared/result';
import { fsyncDir, tempFileName } from '../util/atomic-file';

export const MEDIA_DIR = 'media';

/** Lower-case extension of at most 10 letters/digits, or none: file names never reach the stored path. */
const safeExtension = (name: string): string => {
  const ext = path.extname(name).toLowerCase();
  return /^\.[a-z0-9]{1,10}$/.test(ext) ? ext : '';
};

export async function sha256OfFile(file: string, signal?: AbortSignal): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash, { signal });
  return hash.digest('hex');
}

/** Copies `source` into the project's media folder by content hash and returns its reference. */
export async function addMediaFile(projectRoot: string, source: string, options: { signal?: AbortSignal } = {}): Promise<MediaRef> {
  const stat = await fsp.stat(source).catch(() => null);
  if (!stat?.isFile()) throw new StudioError('MEDIA_NOT_FOUND', `${path.basename(source)} is not a file that can be imported.`);
  const sha256 = await sha256OfFile(source, options.signal);
  const rel = `${MEDIA_DIR}/${sha256}${safeExtension(source)}`;
  const target = path.join(projectRoot, rel);
  const originalName = path.basename(source).slice(0, 255);
  const existing = await fsp.stat(target).catch(() => null);
  if (existing?.isFile() && existing.size === stat.size) return { path: rel, sha256, originalName };
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const temp = path.join(path.dirname(target), tempFileName(target));
  try {
    await fsp.copyFile(source, temp);
    // The source may have changed while we hashed it: the stored name must match the stored bytes.
    if ((await sha256OfFile(temp, options.signal)) !== sha256) throw new StudioError('MEDIA_CHANGED', `${originalName} changed while it was being imported; try again.`);
    const handle = await fsp.open(temp, 'r+');
    await handle.sync().finally(() => handle.close());
    await fsp.rename(temp, target);
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw error;
  }
  await fsyncDir(path.dirname(target));
  return { path: rel, sha256, originalName };
}
