/**
 * Crash-safe file replacement: write a temp file in the same folder, fsync it, rename it over the target,
 * fsync the folder. A reader (or the next start after SIGKILL / power loss) sees the old file or the new one,
 * never a torn mix. The temp file lives in the same folder because rename is only atomic within a filesystem.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Temp files are `.<target name>.<pid>.<random>.tmp`, so leftovers of a killed writer can be recognised. */
export const tempFileName = (target: string): string => `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
export const isTempFileOf = (name: string, targetBase: string): boolean => name.startsWith(`.${targetBase}.`) && name.endsWith('.tmp');

/** Makes a rename/creation inside `dir` durable. Some platforms (Windows) cannot open folders: nothing to do there. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | null = null;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(target);
  const temp = path.join(dir, tempFileName(target));
  let handle: fs.FileHandle | null = null;
  try {
    handle = await fs.open(temp, 'wx', 0o644);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = null;
    await renameWithRetry(temp, target);
  } catch (error) {
    await handle?.close().catch(() => {});
    await fs.rm(temp, { force: true }).catch(() => {});
    throw error;
  }
  await fsyncDir(dir);
}

/** Windows refuses to replace a file another program (indexer, antivirus) has open for a moment: retry briefly. */
const RENAME_RETRY_DELAYS_MS = [20, 80, 250];

async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fs.rename(from, to);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const delay = RENAME_RETRY_DELAYS_MS[attempt];
      if ((code !== 'EPERM' && code !== 'EBUSY' && code !== 'EACCES') || delay === undefined) throw error;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Reads a text file, refusing it (without reading) when it is larger than `maxBytes`. */
export async function readTextLimited(file: string, maxBytes: number): Promise<{ ok: true; text: string; bytes: number } | { ok: false; reason: 'missing' | 'too-large' | 'not-a-file'; bytes: number }> {
  // stat before open: opening a FIFO or device someone put in place of the file would block or never end.
  try {
    if (!(await fs.stat(file)).isFile()) return { ok: false, reason: 'not-a-file', bytes: 0 };
  } catch {
    return { ok: false, reason: 'missing', bytes: 0 };
  }
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'EISDIR' ? 'not-a-file' : 'missing', bytes: 0 };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { ok: false, reason: 'not-a-file', bytes: 0 };
    if (stat.size > maxBytes) return { ok: false, reason: 'too-large', bytes: stat.size };
    const text = await handle.readFile({ encoding: 'utf8' });
    // The file may have grown between stat and read (someone else writing it).
    if (text.length > maxBytes) return { ok: false, reason: 'too-large', bytes: text.length };
    return { ok: true, text, bytes: stat.size };
  } finally {
    await handle.close();
  }
}
