#!/usr/bin/env node
// `npm run dist`: electron-builder packages. Needs the Electron binary; says so clearly when it is absent.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let binary = null;
try {
  const p = require('electron');
  binary = typeof p === 'string' && fs.existsSync(p) ? p : null;
} catch {}
if (!binary) {
  console.error('musedance: cannot package: the Electron binary is not installed (it was skipped with ELECTRON_SKIP_BINARY_DOWNLOAD=1 or its download is blocked). Install it on a machine with internet access (`npm rebuild electron` without that variable), then run `npm run dist` again.');
  process.exit(2);
}
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const r = spawnSync('npx', ['electron-builder', '--config', 'electron-builder.yml', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
