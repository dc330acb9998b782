/**
 * The crash test, shared by `npm test` (a few kills) and `npm run bench -- projects` (100 kills): a child
 * process saves a growing project in a loop and is SIGKILLed at a random moment; then the project must open
 * and equal one of the last two saved states. The child is bundled once with esbuild so each start is fast.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { MediaRoots } from '../../../electron/services/media-roots';
import { ProjectService } from '../../../electron/services/projects/project-service';
import { autosaveFile } from '../../../electron/services/projects/project-layout';
import { listBackupFiles, readProjectFile } from '../../../electron/services/projects/project-file';
import { backupDir } from '../../../electron/services/projects/project-layout';
import { crashState, crashStateIndex, sameContent } from './crash-states';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Longest wait for the child's first save (slow machine under load). */
const FIRST_SAVE_TIMEOUT_MS = 30_000;
/** Kills land uniformly in this window after the child's first save. */
const MAX_KILL_DELAY_MS = 250;

export interface CrashReport {
  kills: number;
  corrupt: number;
  failures: string[];
  /** How often the file on disk was the state being written at the kill (rename done, reply not yet printed). */
  landedOnNewer: number;
  /** Kills that left a temp file behind: the writer died in the middle of writing a copy. */
  killedMidWrite: number;
  autosavesChecked: number;
  backupsChecked: number;
  finalState: number;
  finalBytes: number;
  savesPerSecond: number;
}

export async function runCrashTest(kills: number, options: { seed?: number; log?: (line: string) => void } = {}): Promise<CrashReport> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-crash-'));
  const writer = path.join(work, 'writer.mjs');
  await build({ entryPoints: [path.join(here, 'crash-writer.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: writer, logLevel: 'error' });
  const dir = path.join(work, 'project');
  const dataDir = path.join(work, 'data');
  const ctx = { now: new Date(), newId: () => 'unused-id', appVersion: 'crash-test' };
  const parent = new ProjectService({ appVersion: 'crash-test', dataDir, media: new MediaRoots() });
  await parent.create(dir, 'crash state 0');
  await parent.dispose();

  let rng = options.seed ?? 0x9e3779b9;
  const random = () => {
    rng = (Math.imul(rng ^ (rng >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return rng / 2 ** 32;
  };
  const report: CrashReport = { kills: 0, corrupt: 0, failures: [], landedOnNewer: 0, killedMidWrite: 0, autosavesChecked: 0, backupsChecked: 0, finalState: 0, finalBytes: 0, savesPerSecond: 0 };
  let saves = 0;
  let savingMs = 0;
  try {
    for (let i = 0; i < kills; i++) {
      const { lastSaved, firstSaved, ranMs } = await runAndKill(writer, dir, dataDir, random() * MAX_KILL_DELAY_MS);
      saves += lastSaved - firstSaved + 1;
      savingMs += ranMs;
      report.kills++;
      const fail = (why: string) => {
        report.corrupt++;
        report.failures.push(`kill ${i + 1} (last saved ${lastSaved}): ${why}`);
      };
      if (fs.readdirSync(dir).some((n) => n.endsWith('.tmp'))) report.killedMidWrite++;
      const service = new ProjectService({ appVersion: 'crash-test', dataDir, media: new MediaRoots() });
      try {
        const opened = await service.open(dir);
        const k = crashStateIndex(opened.project);
        if (opened.readOnly) fail(`opened read-only: ${opened.readOnlyReason}`);
        else if (!opened.recovery.crashed) fail('the stale lock of the killed writer was not reported as a crash');
        if (k === null || (k !== lastSaved && k !== lastSaved + 1)) fail(`project.json holds state ${k}, expected ${lastSaved} or ${lastSaved + 1}`);
        else if (!sameContent(opened.project, crashState(opened.project, k))) fail(`project.json says state ${k} but its content differs`);
        else if (k === lastSaved + 1) report.landedOnNewer++;
        report.finalState = k ?? report.finalState;
        const auto = await readProjectFile(autosaveFile(dir), ctx);
        if (auto.ok) {
          report.autosavesChecked++;
          const a = crashStateIndex(auto.project);
          if (a === null || a < lastSaved || a > lastSaved + 1 || !sameContent(auto.project, crashState(auto.project, a))) fail(`autosave holds an unexpected state ${a}`);
        } else if (auto.code !== 'PROJECT_NOT_FOUND') fail(`autosave unreadable: ${auto.message}`);
        if (fs.readdirSync(dir).some((n) => n.endsWith('.tmp'))) fail('temp files of the killed writer were not tidied on open');
        for (const name of await listBackupFiles(dir)) {
          const b = await readProjectFile(path.join(backupDir(dir), name), ctx);
          report.backupsChecked++;
          if (!b.ok) fail(`backup ${name} unreadable: ${b.message}`);
        }
      } catch (error) {
        fail(`open failed: ${(error as Error).message}`);
      } finally {
        await service.dispose();
      }
      if (report.failures.length > 5) break;
      if ((i + 1) % 10 === 0) options.log?.(`# crash test: ${i + 1}/${kills} kills, ${report.corrupt} corrupt, state ${report.finalState}`);
    }
    report.finalBytes = fs.statSync(path.join(dir, 'project.json')).size;
    report.savesPerSecond = savingMs > 0 ? (saves / savingMs) * 1000 : 0;
    return report;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function runAndKill(writer: string, dir: string, dataDir: string, killDelayMs: number): Promise<{ lastSaved: number; firstSaved: number; ranMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let lastSaved = -1;
    let firstSaved = -1;
    let startedAt = 0;
    let killTimer: NodeJS.Timeout | null = null;
    const firstSaveTimer = setTimeout(() => child.kill('SIGKILL'), FIRST_SAVE_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (err += d).slice(-2000));
    child.stdout.on('data', (d: string) => {
      out += d;
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        const m = /^saved (\d+)$/.exec(line);
        if (!m) continue;
        lastSaved = Number(m[1]);
        if (firstSaved < 0) {
          firstSaved = lastSaved;
          startedAt = performance.now();
          clearTimeout(firstSaveTimer);
          killTimer = setTimeout(() => child.kill('SIGKILL'), killDelayMs);
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(firstSaveTimer);
      if (killTimer) clearTimeout(killTimer);
      if (signal !== 'SIGKILL' || firstSaved < 0) return reject(new Error(`crash writer ended on its own (code ${code}, signal ${signal}): ${err.trim().slice(0, 500)}`));
      resolve({ lastSaved, firstSaved, ranMs: performance.now() - startedAt });
    });
  });
}
