#!/usr/bin/env node
// Runs @doyensec/electronegativity (offline: the Electron version is passed in) over electron/ and the
// renderer's HTML, and fails on any finding of MEDIUM severity or higher.
//
// One check is excluded, after review: PRELOAD_JS_CHECK only says "review the use of preload scripts".
// Ours (electron/preload/preload.ts) runs sandboxed with contextIsolation and exposes one verb per contract
// channel plus an event subscription that checks event names; it never exposes ipcRenderer, and the main
// side checks the sender frame and parses every request with the contract's schema.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const electronVersion = require('electron/package.json').version;
// electronegativity names checks by class name, lower-cased (PreloadJSCheck reports as PRELOAD_JS_CHECK).
const REVIEWED_EXCLUSIONS = ['preloadjscheck'];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'electronegativity-'));
// Scan the Electron sources together with the renderer's HTML (where the CSP meta tag lives).
fs.cpSync('electron', path.join(work, 'electron'), { recursive: true });
fs.copyFileSync('renderer/index.html', path.join(work, 'index.html'));
const out = path.join(work, 'findings.csv');
const r = spawnSync('npx', ['electronegativity', '-i', work, '-e', electronVersion, '-s', 'medium', '-x', REVIEWED_EXCLUSIONS.join(','), '-r', '-v', 'false', '-o', out], { encoding: 'utf8' });
if (!fs.existsSync(out)) {
  console.error(r.stdout, r.stderr);
  console.error('electronegativity: no report produced');
  process.exit(1);
}
const all = fs.readFileSync(out, 'utf8').trim().split('\n').slice(1).filter(Boolean);
// The CSV lists every finding; the gate is severity MEDIUM or above (column 2).
const rows = all.filter((row) => /^[^,]*,"(MEDIUM|HIGH|CRITICAL)"/.test(row));
const low = all.length - rows.length;
fs.rmSync(work, { recursive: true, force: true });
if (rows.length) {
  console.error(`electronegativity: ${rows.length} finding(s) of medium severity or higher:`);
  for (const row of rows) console.error('  ' + row);
  process.exit(1);
}
console.log(`electronegativity ${electronVersion}: 0 findings of medium or higher, ${low} low (excluded after review: ${REVIEWED_EXCLUSIONS.join(', ')})`);
