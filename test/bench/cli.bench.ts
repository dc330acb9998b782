/**
 * `npm run bench -- cli`: how long `musedance --help` takes from process start to exit, as `npm run musedance`
 * runs it (scripts/musedance.mjs: freshness check, then the bundle dist/cli/musedance.cjs). Median of several runs,
 * wall clock, next to the reference measured in the same run: a bare `node -e 0` (what any Node program
 * costs on this machine) and the old way, TypeScript compiled at start by tsx.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bench } from './report';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = 9;
const GNU_TIME = '/usr/bin/time';
const TSX_RUNS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Wall-clock milliseconds of one `node <args>` run, start to exit; throws when it fails. */
function timeRun(args: string[]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${run.status}: ${run.stderr.trim().split('\n').pop()}`);
  return wallMs;
}

const measure = (args: string[], runs: number): number => median(Array.from({ length: runs }, () => timeRun(args)));

/**
 * CPU milliseconds (user + sys) of one run through GNU time, or null without it: on a shared, busy machine the
 * wall clock mostly measures waiting for a core, the CPU time what the start itself costs.
 */
function cpuRun(args: string[]): number | null {
  if (!fs.existsSync(GNU_TIME)) return null;
  const run = spawnSync(GNU_TIME, ['-f', 'CPU %U %S', process.execPath, ...args], { cwd: root, encoding: 'utf8' });
  const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(run.stderr);
  return run.status === 0 && m ? (Number(m[1]) + Number(m[2])) * 1000 : null;
}
const measureCpu = (args: string[], runs: number): number | null => {
  const xs = Array.from({ length: runs }, () => cpuRun(args));
  return xs.every((x) => x !== null) ? median(xs as number[]) : null;
};

export default async function () {
  // Build (or refresh) the bundle first so its rebuild is not measured.
  timeRun(['scripts/musedance.mjs', '--help']);
  const cliMs = measure(['scripts/musedance.mjs', '--help'], RUNS);
  const nodeMs = measure(['-e', '0'], RUNS);
  const tsxMs = measure(['--import', 'tsx', 'electron/cli/main.ts', '--help'], TSX_RUNS);
  bench('cli.start_ms', Math.round(cliMs), 'ms');
  bench('cli.start_over_bare_node_ms', Math.round(cliMs - nodeMs), 'ms');
  bench('cli.reference_bare_node_ms', Math.round(nodeMs), 'ms');
  bench('cli.reference_tsx_start_ms', Math.round(tsxMs), 'ms');
  const cliCpu = measureCpu(['scripts/musedance.mjs', '--help'], RUNS);
  const nodeCpu = measureCpu(['-e', '0'], RUNS);
  if (cliCpu !== null && nodeCpu !== null) {
    bench('cli.start_cpu_ms', Math.round(cliCpu), 'ms');
    bench('cli.reference_bare_node_cpu_ms', Math.round(nodeCpu), 'ms');
  }
}
