/**
 * Opens each given path with the safe opener (root and size limit from argv) and prints one JSON line per
 * path: `{ ok, code, bytes }`. Run under `strace -e trace=openat` by safe-open.test.ts to see what is opened.
 */
import { readRegularFile } from '../../../electron/services/util/safe-open';

const { root, maxBytes, paths } = JSON.parse(process.argv[2] ?? '{}') as { root: string; maxBytes: number; paths: string[] };
for (const file of paths) {
  try {
    const { bytes } = await readRegularFile(file, { root, maxBytes });
    process.stdout.write(JSON.stringify({ file, ok: true, bytes: bytes.length }) + '\n');
  } catch (error) {
    process.stdout.write(JSON.stringify({ file, ok: false, code: (error as { code?: string }).code ?? 'THROWN' }) + '\n');
  }
}
process.exit(0);
