/**
 * `npm run bench [-- <part> ...]`: runs `test/bench/<part>.bench.ts` files (all when no part is named).
 * Each prints `BENCH <name> <value> <unit>` lines, with its reference measured in the same run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const parts = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !parts.includes(w));
if (unknown.length) {
  console.error(`unknown bench part(s): ${unknown.join(', ')}; available: ${parts.join(', ')}`);
  process.exit(1);
}
let failed = 0;
for (const part of wanted.length ? wanted : parts) {
  console.log(`# bench ${part}`);
  try {
    const mod = (await import(pathToFileURL(path.join(dir, `${part}.bench.ts`)).href)) as { default: () => Promise<void> };
    await mod.default();
  } catch (error) {
    failed++;
    console.error(`# bench ${part} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exit(failed ? 1 : 0);
