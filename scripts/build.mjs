#!/usr/bin/env node
// Builds the renderer (Vite), the Electron main + preload bundles and the CLI bundle (esbuild). `npm run build`
// [renderer|electron|cli].
import { build as viteBuild } from 'vite';
import { build as esbuild } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, CLI_BUNDLE } from './build-cli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv[2];

if (!only || only === 'renderer') {
  await viteBuild({ configFile: path.join(root, 'renderer/vite.config.ts'), logLevel: 'warn' });
  console.log('built dist/renderer');
}
if (!only || only === 'electron') {
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    // Services compute their root from import.meta.url; in a CJS bundle that comes from __filename.
    define: { 'import.meta.url': '__musedanceImportMetaUrl' },
    banner: { js: 'const __musedanceImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  };
  await esbuild({ ...common, entryPoints: [path.join(root, 'electron/main/main.ts')], outfile: path.join(root, 'dist/electron/main.cjs'), external: ['electron', 'onnxruntime-node', 'fluent-ffmpeg', 'ws'] });
  // The sandboxed preload can only require 'electron': everything else is bundled in.
  await esbuild({ ...common, entryPoints: [path.join(root, 'electron/preload/preload.ts')], outfile: path.join(root, 'dist/electron/preload.cjs'), external: ['electron'] });
  // The ONNX Runtime worker thread is plain CJS loaded by path next to main.cjs (ort-worker-client.ts).
  fs.copyFileSync(path.join(root, 'electron/services/inference/ort-worker.cjs'), path.join(root, 'dist/electron/ort-worker.cjs'));
  console.log('built dist/electron/{main,preload,ort-worker}.cjs');
}
if (!only || only === 'electron' || only === 'cli') {
  // The `musedance` CLI as one bundle, so a command starts without compiling TypeScript (scripts/musedance.mjs).
  await buildCli();
  console.log(`built ${CLI_BUNDLE}`);
}
