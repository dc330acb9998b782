/**
 * Runs the `musedance` CLI in this process (real services) with stdout and stderr captured, and gives each test
 * file its own data folder through MUSEDANCE_DATA_DIR (set before the first command, removed after the file).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { runCli } from '../../electron/cli/main';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function cli(args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (s) => ((out += s), true), err: (s) => ((err += s), true) });
  return { code, out, err };
}

/** A scratch root for this test file, with MUSEDANCE_DATA_DIR inside it; returns a getter (set in beforeAll). */
export function useCliScratch(prefix: string): () => string {
  let root = '';
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    process.env.MUSEDANCE_DATA_DIR = path.join(root, 'data');
  });
  afterAll(() => {
    delete process.env.MUSEDANCE_DATA_DIR;
    fs.rmSync(root, { recursive: true, force: true });
  });
  return () => root;
}
