#!/usr/bin/env node
// `npm start`: the Electron app when its binary is installed, otherwise the browser host (URL printed).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const p = require('electron'); // the package exports the binary's path, and throws when it was not downloaded
    return typeof p === 'string' && fs.existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

if (!fs.existsSync(path.join(root, 'dist/renderer/index.html'))) {
  console.log('Building the studio first (npm run build)…');
  const b = spawn(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  const code = await new Promise((r) => b.on('exit', r));
  if (code !== 0) process.exit(code ?? 1);
}

const binary = electronBinary();
let child;
if (binary) {
  child = spawn(binary, [root], { stdio: 'inherit' });
} else {
  console.log('The Electron binary is not installed on this machine; starting the browser host instead.');
  child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'electron/host/cli.ts')], { stdio: 'inherit' });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
