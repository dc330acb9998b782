/**
 * The layer rules hold on the repository, and the checker (dependency-cruiser with `.dependency-cruiser.cjs`,
 * run by scripts/check-layers.mjs) catches a planted violation of every rule: test/fixtures/layers/<rule>/ is a
 * miniature repository with exactly one forbidden import (plus imports the rule must allow).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { checkLayers, formatViolation } from '../../../scripts/check-layers.mjs';

interface Violation {
  rule: string;
  from: string;
  to: string;
}
const check = checkLayers as (root?: string) => Promise<Violation[]>;
const format = formatViolation as (v: Violation) => string;

const repo = path.resolve(import.meta.dirname, '../../..');
const fixtures = path.join(repo, 'test/fixtures/layers');
const ruleNames: string[] = (createRequire(import.meta.url)(path.join(repo, '.dependency-cruiser.cjs')) as { forbidden: { name: string }[] }).forbidden.map((r) => r.name);

/** The one import each fixture plants (`to` of a cycle is the rest of the loop). */
const planted: Record<string, { from: string; to: string | RegExp }> = {
  'shared-imports-nothing-of-the-repo': { from: 'electron/shared/contract.ts', to: 'electron/services/audio/analyse.ts' },
  'shared-imports-no-node-builtin': { from: 'electron/shared/paths.ts', to: 'path' },
  'services-never-import-hosts': { from: 'electron/services/audio/analyse.ts', to: 'electron/main/window.ts' },
  'services-never-import-electron': { from: 'electron/services/system/dialog.ts', to: /(^electron$|node_modules\/electron\/)/ },
  'renderer-imports-only-shared-and-own-code': { from: 'renderer/src/features/timeline/peaks.ts', to: 'electron/services/audio/waveform-peaks.ts' },
  'features-never-import-other-features': { from: 'renderer/src/features/timeline/WaveformView.ts', to: 'renderer/src/features/generate/generate-store.ts' },
  'features-never-import-app': { from: 'renderer/src/features/studio/StudioView.ts', to: 'renderer/src/app/studio-panels.ts' },
  'renderer-shared-code-never-imports-features': { from: 'renderer/src/state/generate-store.ts', to: 'renderer/src/features/generate/takes.ts' },
  'hosts-go-through-the-registry': { from: 'electron/cli/commands/beats.ts', to: 'electron/services/audio/track-beats.ts' },
  'hosts-never-import-each-other': { from: 'electron/main/protocols.ts', to: 'electron/host/security.ts' },
  'domains-import-each-other-through-index': { from: 'electron/services/training/prepare-clip.ts', to: 'electron/services/audio/track-beats.ts' },
  'no-import-cycles': { from: 'electron/services/audio/handlers.ts', to: 'electron/services/composition-root.ts -> electron/services/audio/handlers.ts' },
};

describe('layer rules', () => {
  it('the repository breaks none of them', async () => {
    const violations = await check();
    expect(violations.map(format)).toEqual([]);
  });

  it('every rule has a planted-violation fixture and every fixture names a rule', () => {
    const dirs = fs.readdirSync(fixtures, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect([...dirs].sort()).toEqual([...ruleNames].sort());
    expect(Object.keys(planted).sort()).toEqual([...ruleNames].sort());
  });

  it.each(Object.entries(planted))('catches exactly the planted import for %s', async (rule, { from, to }) => {
    const violations = await check(path.join(fixtures, rule));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ rule, from });
    expect(violations[0]!.to).toMatch(typeof to === 'string' ? new RegExp(`^${to.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : to);
  });

  it('the command line prints the rule and the import and exits 1', () => {
    const run = spawnSync(process.execPath, ['scripts/check-layers.mjs', path.join(fixtures, 'hosts-never-import-each-other')], { cwd: repo, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('hosts-never-import-each-other: electron/main/protocols.ts -> electron/host/security.ts');
  });
});
