/**
 * The CLI runs from its esbuild bundle (scripts/musedance.mjs -> dist/cli/musedance.cjs): a bundle older than any
 * source under electron/ counts as stale (the launcher rebuilds it), and a V8 code cache that does not fit the
 * bundle is ignored and written anew instead of breaking the start.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { CLI_BUNDLE, cliBundleStaleness } from '../../../scripts/build-cli.mjs';

const staleness = cliBundleStaleness as (root?: string) => string | null;
const repo = path.resolve(import.meta.dirname, '../../..');

describe('CLI bundle', () => {
  it('is stale when missing or older than a source under electron/, fresh otherwise', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-bundle-'));
    try {
      const source = path.join(root, 'electron/services/audio/track-beats.ts');
      fs.mkdirSync(path.dirname(source), { recursive: true });
      fs.writeFileSync(source, 'export {};\n');
      expect(staleness(root)).toBe(`${CLI_BUNDLE} is missing`);
      const bundle = path.join(root, CLI_BUNDLE as string);
      fs.mkdirSync(path.dirname(bundle), { recursive: true });
      fs.writeFileSync(bundle, '');
      const now = Date.now() / 1000;
      fs.utimesSync(bundle, now - 60, now - 60);
      fs.utimesSync(source, now, now);
      expect(staleness(root)).toBe(`electron/services/audio/track-beats.ts is newer than ${CLI_BUNDLE}`);
      fs.utimesSync(bundle, now + 1, now + 1);
      expect(staleness(root)).toBeNull();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('starts with a code cache that does not fit the bundle, and replaces it', () => {
    const musedance = () => spawnSync(process.execPath, ['scripts/musedance.mjs', '--help'], { cwd: repo, encoding: 'utf8' });
    expect(musedance().status).toBe(0); // builds the bundle when stale, writes the cache
    const bundle = path.join(repo, CLI_BUNDLE as string);
    const stat = fs.statSync(bundle);
    const cache = `${bundle}.v8cache`;
    fs.writeFileSync(cache, Buffer.concat([Buffer.from(`${process.version} ${stat.size} ${stat.mtimeMs}\n`, 'latin1'), Buffer.alloc(4096, 7)]));
    const run = musedance();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run -s musedance -- <command>/);
    expect(fs.statSync(cache).size).not.toBe(4096 + `${process.version} ${stat.size} ${stat.mtimeMs}\n`.length);
  });
});
