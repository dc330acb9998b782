/**
 * Copies a project's content folders (media, takes) into another project for Save As. Only regular files are
 * copied: symlinks are skipped so a link pointing outside the old project cannot smuggle files into the new one.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../shared/result';

const MAX_FILES = 200_000;

async function listFiles(root: string, rel: string, out: string[]): Promise<void> {
  const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) await listFiles(root, child, out);
    else if (entry.isFile()) out.push(child);
    if (out.length > MAX_FILES) throw new StudioError('PROJECT_TOO_MANY_FILES', `The project holds more than ${MAX_FILES} files.`);
  }
}

export async function copyProjectContent(
  fromRoot: string,
  toRoot: string,
  options: { dirs: string[]; signal: AbortSignal; progress: (fraction: number, message: string) => void },
): Promise<number> {
  const files: string[] = [];
  for (const dir of options.dirs) {
    const stat = await fs.lstat(path.join(fromRoot, dir)).catch(() => null);
    if (stat?.isDirectory()) await listFiles(fromRoot, dir, files);
  }
  let done = 0;
  for (const rel of files) {
    if (options.signal.aborted) throw new StudioError('CANCELLED', 'Cancelled.');
    const target = path.join(toRoot, rel);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.copyFile(path.join(fromRoot, rel), target, fs.constants.COPYFILE_EXCL);
    done++;
    if (done % 20 === 0 || done === files.length) options.progress(done / files.length, `Copied ${done} of ${files.length} files`);
  }
  return files.length;
}
