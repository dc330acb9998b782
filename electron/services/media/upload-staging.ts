/**
 * Dropped files arrive from the renderer in ordered chunks (the browser host cannot see local paths, and the
 * Electron preload does not expose them). They are staged in `cache/uploads/<uploadId>/<name>` of the project,
 * keeping the user's file name for display, then imported from there and discarded.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { MediaErrorCodes } from '../../shared/domain/media';
import { resolveProjectDir } from './content-store';

export const UPLOADS_DIR = path.join('cache', 'uploads');

/** The user's file name without folders or control characters (never a path that leaves the upload folder). */
export function stagedFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return clean && clean !== '.' && clean !== '..' ? clean : 'upload';
}

export interface UploadChunk {
  projectDir: string;
  uploadId: string;
  fileName: string;
  offset: number;
  totalBytes: number;
  dataBase64: string;
}

export async function receiveChunk(chunk: UploadChunk): Promise<{ receivedBytes: number; path: string | null }> {
  const root = await resolveProjectDir(chunk.projectDir);
  const dir = path.join(root, UPLOADS_DIR, chunk.uploadId);
  const file = path.join(dir, stagedFileName(chunk.fileName));
  await fs.mkdir(dir, { recursive: true });
  const current = (await fs.stat(file).catch(() => null))?.size ?? 0;
  if (chunk.offset !== current) {
    throw new StudioError(MediaErrorCodes.badOutput, `Upload ${chunk.uploadId} expected bytes from ${current}, got a chunk at ${chunk.offset}.`);
  }
  const bytes = Buffer.from(chunk.dataBase64, 'base64');
  if (current + bytes.length > chunk.totalBytes) {
    await fs.rm(dir, { recursive: true, force: true });
    throw new StudioError(MediaErrorCodes.badOutput, `Upload ${chunk.uploadId} is larger than the announced ${chunk.totalBytes} bytes.`);
  }
  await fs.appendFile(file, bytes);
  const receivedBytes = current + bytes.length;
  return { receivedBytes, path: receivedBytes === chunk.totalBytes ? file : null };
}

export async function discardUpload(projectDir: string, uploadId: string): Promise<boolean> {
  const root = await resolveProjectDir(projectDir);
  const dir = path.join(root, UPLOADS_DIR, uploadId);
  const existed = !!(await fs.stat(dir).catch(() => null));
  await fs.rm(dir, { recursive: true, force: true });
  return existed;
}

/**
 * A file the user picked on the host (the browser host's file picker, issue 23) staged like a dropped one, so
 * the crop dialog can show it and the import runs the same way. Only files inside `allowedRoots` (the picker's
 * roots) are copied: a staged file is served to the renderer.
 */
export async function stageLocalFile(projectDir: string, uploadId: string, source: string, allowedRoots: readonly string[]): Promise<{ path: string; fileName: string; sizeBytes: number }> {
  const root = await resolveProjectDir(projectDir);
  const real = await fs.realpath(path.resolve(source)).catch(() => null);
  if (!real) throw new StudioError(MediaErrorCodes.notFound, `${path.basename(source)} does not exist or cannot be read.`);
  const inside = await Promise.all(
    allowedRoots.map(async (r) => {
      const rr = await fs.realpath(r).catch(() => path.resolve(r));
      const rel = path.relative(rr, real);
      return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
    }),
  );
  if (!inside.some(Boolean)) throw new StudioError(MediaErrorCodes.badOutput, `${real} is outside the folders the studio may open.`);
  const stat = await fs.stat(real);
  if (!stat.isFile()) throw new StudioError(MediaErrorCodes.notFound, `${path.basename(real)} is not a file.`);
  const fileName = stagedFileName(path.basename(real));
  const dir = path.join(root, UPLOADS_DIR, uploadId);
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, fileName);
  await fs.copyFile(real, file);
  return { path: file, fileName, sizeBytes: stat.size };
}
