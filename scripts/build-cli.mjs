/**
 * The `musedance` CLI bundle (dist/cli/musedance.cjs): one esbuild bundle of electron/cli/main.ts, so a command
 * starts in a few hundred milliseconds instead of compiling TypeScript at every start. Built by scripts/build.mjs
 * (`npm run setup` / `npm run build`); scripts/musedance.mjs rebuilds it when a source under electron/ is newer.
 * Written to a temp file and renamed, so a CLI starting at the same time never loads a half-written bundle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_BUNDLE = 'dist/cli/musedance.cjs';
/** Sources the bundle is made of (electron/shared, services, ipc and cli all live here). */
const SOURCE_DIR = 'electron';

export async function buildCli() {
  const { build } = await import('esbuild');
  const outfile = path.join(root, CLI_BUNDLE);
  const result = await build({
    entryPoints: [path.join(root, 'electron/cli/main.ts')],
    outfile,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'external',
    // Less to parse at every start (identifiers kept: error names and stack traces stay readable).
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    // Services compute their root from import.meta.url; in a CJS bundle that comes from __filename.
    define: { 'import.meta.url': '__musedanceImportMetaUrl' },
    banner: { js: 'const __musedanceImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    // Native or path-resolving packages load from node_modules at run time.
    external: ['electron', 'onnxruntime-node', 'fluent-ffmpeg', 'ws', '@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe'],
  });
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  for (const file of result.outputFiles) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, file.contents);
    fs.renameSync(tmp, file.path);
  }
}

/** Why the bundle must be (re)built: missing, or older than a source file; null when it is up to date. */
export function cliBundleStaleness(repoRoot = root) {
  const bundle = fs.statSync(path.join(repoRoot, CLI_BUNDLE), { throwIfNoEntry: false });
  if (!bundle) return `${CLI_BUNDLE} is missing`;
  const sources = path.join(repoRoot, SOURCE_DIR);
  // A packaged app ships the bundle without the sources: nothing to compare.
  if (!fs.existsSync(sources)) return null;
  for (const entry of fs.readdirSync(sources, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(ts|cjs|mjs|js|json)$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    if (fs.statSync(file).mtimeMs > bundle.mtimeMs) return `${path.relative(repoRoot, file)} is newer than ${CLI_BUNDLE}`;
  }
  return null;
}
