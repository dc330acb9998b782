#!/usr/bin/env node
/**
 * Checks the layer rules of `.dependency-cruiser.cjs` (docs/ARCHITECTURE.md, "Layers") and prints each
 * violation as `<rule>: <importer> -> <imported>`. `node scripts/check-layers.mjs [root]` exits 1 on a
 * violation; `npm test` runs it through test/unit/foundation/layers.test.ts, which also plants one violation per
 * rule (test/fixtures/layers/) to prove the checker catches it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** What is cruised, relative to the root: the Node side and the renderer (tests may import anything). */
export const LAYER_ROOTS = ['electron', 'renderer/src'];

/**
 * Violations under `root` (the repository, or a fixture laid out like it), one `{ rule, from, to }` per
 * import; for a cycle `to` is the rest of the loop, back to `from`.
 */
export async function checkLayers(root = repoRoot) {
  const config = require(path.join(repoRoot, '.dependency-cruiser.cjs'));
  // The @shared alias is given directly, so a fixture resolves it inside itself (the tsconfig's points at the repo).
  const { tsConfig: _repoTsConfig, ...options } = config.options;
  const roots = LAYER_ROOTS.filter((dir) => fsExists(path.join(root, dir)));
  const cwd = process.cwd();
  // dependency-cruiser resolves the given paths and the tsconfig against the working directory.
  process.chdir(root);
  try {
    const result = await cruise(
      roots,
      { ...options, ruleSet: { forbidden: config.forbidden }, validate: true, baseDir: root },
      { alias: { '@shared': path.join(root, 'electron/shared') } },
    );
    const violations = result.output.summary.violations.map((v) => ({
      rule: v.rule.name,
      from: v.from,
      to: v.cycle?.length ? v.cycle.map((c) => (typeof c === 'string' ? c : c.name)).join(' -> ') : v.to,
    }));
    return violations.sort((a, b) => `${a.rule} ${a.from}`.localeCompare(`${b.rule} ${b.from}`));
  } finally {
    process.chdir(cwd);
  }
}

const fsExists = (dir) => fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;

export const formatViolation = (v) => `${v.rule}: ${v.from} -> ${v.to}`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? repoRoot);
  const violations = await checkLayers(root);
  for (const v of violations) console.error(formatViolation(v));
  console.log(violations.length ? `layers: ${violations.length} violation(s)` : 'layers: no violation');
  process.exit(violations.length ? 1 : 0);
}
