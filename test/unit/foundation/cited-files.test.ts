/**
 * Every file a header comment or a README cites exists: a source file's leading comment (TypeScript, JavaScript,
 * Python) and the READMEs and docs/ (which cite repository paths by their full path) name files in backticks, and
 * a citation that outlived its file sends the next reader nowhere. Header citations resolve against the repository
 * root, the citing file's folder or any folder above it, and native-models/ (Python modules cite
 * `musedance_models/...` and `models/...`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../../..');
/** Where source headers are read. */
const SOURCE_DIRS = ['electron', 'renderer/src', 'scripts', 'test', 'native-models/musedance_models', 'native-models/scripts', 'native-models/recipes', 'native-models/tests'];
/** Not read: dependencies, outputs, and the layer fixtures (miniature repositories that cite nothing real). */
const SKIP_DIRS = new Set(['node_modules', 'dist', 'runs', '__pycache__', 'test-results', 'playwright-report']);
const SKIP_PATHS = ['test/fixtures/layers'];
/**
 * Paths a README or doc cites that are checked (from the repository root or the README's folder): those starting
 * like the repository's folders; other backticked paths there live inside packs or run folders.
 */
const REPO_TOP = /^(electron|renderer|native-models|scripts|test|docs|assets|build)\//;
/** `a/b.ts`-like citations; a bare file name (`take.json`, `handlers.ts`) names a kind of file, not one file. */
const CITATION = /`([A-Za-z0-9_.@/-]+\/[A-Za-z0-9_.@-]+\.(?:ts|tsx|mjs|cjs|js|py|md|json|sh|yml|html|txt))`/g;
/** A file's leading comment: block, line comments, or a Python docstring / comment run (after a shebang). */
const HEADER = /^\s*(?:#![^\n]*\n)?\s*(\/\*[\s\S]*?\*\/|(?:[ \t]*\/\/[^\n]*\n)+|"""[\s\S]*?"""|(?:[ \t]*#[^\n]*\n)+)/;

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(path.join(repo, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (SKIP_DIRS.has(entry.name) || SKIP_PATHS.includes(rel)) continue;
    if (entry.isDirectory()) walk(rel, out);
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

function resolves(citation: string, from: string, bases: string[]): boolean {
  const rel = citation.startsWith('@shared/') ? `electron/shared/${citation.slice('@shared/'.length)}` : citation;
  return bases.some((base) => fs.existsSync(path.join(repo, base, rel))) || fs.existsSync(path.join(repo, path.dirname(from), rel));
}

function missingCitations(): string[] {
  const missing: string[] = [];
  const sources = SOURCE_DIRS.flatMap((dir) => walk(dir)).filter((f) => /\.(ts|tsx|mjs|cjs|js|py)$/.test(f));
  for (const file of sources) {
    const header = HEADER.exec(fs.readFileSync(path.join(repo, file), 'utf8'))?.[1];
    if (!header) continue;
    const ancestors = file.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'));
    for (const [, cited] of header.matchAll(CITATION)) {
      if (cited!.startsWith('dist/') || cited!.startsWith('runs/')) continue;
      if (!resolves(cited!, file, ['.', 'native-models', 'native-models/musedance_models', ...ancestors])) missing.push(`${file}: ${cited}`);
    }
  }
  const docs = ['README.md', ...walk('docs'), ...['electron', 'renderer', 'native-models', 'test', 'assets'].flatMap((d) => walk(d))].filter((f) => f.endsWith('README.md') || f.startsWith('docs/'));
  for (const file of [...new Set(docs)].filter((f) => f.endsWith('.md'))) {
    for (const [, cited] of fs.readFileSync(path.join(repo, file), 'utf8').matchAll(CITATION)) {
      if (REPO_TOP.test(cited!) && !resolves(cited!, file, ['.'])) missing.push(`${file}: ${cited}`);
    }
  }
  return missing;
}

describe('cited files', () => {
  it('every file a header comment or a README cites exists', () => {
    expect(missingCitations()).toEqual([]);
  });

  it('the check sees a citation that goes nowhere', () => {
    // The same pattern the check applies, on a header that cites one real and one missing file.
    const header = HEADER.exec('/**\n * Mirrors `electron/services/inference/ddim.ts`; tested by `test/unit/nowhere/missing.test.ts`.\n */\nexport {};\n')![1]!;
    const cited = [...header.matchAll(CITATION)].map((m) => m[1]!);
    expect(cited).toEqual(['electron/services/inference/ddim.ts', 'test/unit/nowhere/missing.test.ts']);
    expect(cited.map((c) => resolves(c, 'electron/x.ts', ['.']))).toEqual([true, false]);
  });
});
