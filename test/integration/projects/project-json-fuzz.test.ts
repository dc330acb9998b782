/**
 * Property-based loading of hostile project.json files: random JSON, mutated real documents, deep nesting,
 * prototype keys, huge values, wrong file types. Opening must give a project that matches the schema or an
 * error value — never a throw, never INTERNAL — and must not write anything outside the project folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Project } from '../../../electron/shared/domain/project';
import { scratchDir, testStudio, type TestStudio } from './helpers';

const RUNS = 120;
let sandbox: string;
let studio: TestStudio;
const fixtures = path.resolve(__dirname, '../../fixtures/projects');
const v1 = JSON.parse(fs.readFileSync(path.join(fixtures, 'v1', 'project.json'), 'utf8')) as Record<string, unknown>;
const v2 = JSON.parse(fs.readFileSync(path.join(fixtures, 'v2', 'project.json'), 'utf8')) as Record<string, unknown>;

beforeAll(() => {
  sandbox = scratchDir('musedance-jsonfuzz-');
  fs.writeFileSync(path.join(sandbox, 'outside.txt'), 'outside');
  fs.mkdirSync(path.join(sandbox, 'data'));
  studio = testStudio(path.join(sandbox, 'data'));
});
afterAll(() => fs.rmSync(sandbox, { recursive: true, force: true }));

/** Sets `value` at a random path inside a copy of `doc` (or deletes the key when value is the marker). */
const DELETE = Symbol('delete');
function mutate(doc: unknown, pathPicks: number[], value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (let i = 0; i < pathPicks.length; i++) {
    const keys = Object.keys(node);
    if (!keys.length) break;
    const key = keys[pathPicks[i]! % keys.length]!;
    const child = node[key];
    if (i === pathPicks.length - 1 || typeof child !== 'object' || child === null) {
      if (value === DELETE) delete node[key];
      else node[key] = value;
      break;
    }
    node = child as Record<string, unknown>;
  }
  return copy;
}

const hostileText = fc.oneof(
  fc.json({ depthSize: 'medium' }),
  fc.string({ maxLength: 200 }),
  // Valid documents, some with extra or prototype keys that must be dropped harmlessly.
  fc.constantFrom(
    JSON.stringify(v1),
    JSON.stringify(v2),
    JSON.stringify({ ...v2, futureField: { a: 1 } }),
    JSON.stringify(v1).replace('{', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},'),
  ),
  fc.constantFrom(
    '',
    '\uFEFF{}',
    '['.repeat(100_000),
    '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000),
    '{"version":2,"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
    JSON.stringify({ ...v2, name: 'x'.repeat(5_000_000) }),
    JSON.stringify({ ...v2, beats: Array.from({ length: 25_000 }, (_, i) => ({ id: `b${i}`, timeSec: i, source: 'user', anchored: false })) }),
    JSON.stringify({ ...v2, version: 1e300 }),
    JSON.stringify({ ...v2, version: '2' }),
    JSON.stringify({ ...v2, song: { path: '../outside.txt', sha256: 'a'.repeat(64), originalName: 'x' } }),
    JSON.stringify({ ...v1, referenceImage: { path: '/etc/passwd', sha256: 'a'.repeat(64), originalName: 'x' } }),
  ),
  fc
    .tuple(fc.constantFrom(v1, v2), fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), fc.oneof(fc.constant(DELETE), fc.anything({ maxDepth: 2 }), fc.constantFrom(null, -1, 1e309, 'x'.repeat(300), '../x', [])))
    .map(([doc, picks, value]) => JSON.stringify(mutate(doc, picks, value)) ?? 'null'),
);

describe('hostile project.json files', () => {
  it('open/validate/inspect give a valid project or an error value, and write only inside the project', async () => {
    let n = 0;
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(hostileText, async (text) => {
        const dir = path.join(sandbox, `p${n++}`);
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, 'project.json'), text);
        const before = fs.readdirSync(sandbox).length;
        for (const channel of ['project.validate', 'project.inspect', 'project.open'] as const) {
          const r = await studio.registry.dispatch(channel, { dir });
          if (channel === 'project.open') outcomes.set(r.ok ? 'ok' : r.error.code, (outcomes.get(r.ok ? 'ok' : r.error.code) ?? 0) + 1);
          if (r.ok) {
            if (channel === 'project.open') expect(Project.safeParse((r.value as { project: unknown }).project).success).toBe(true);
          } else {
            expect(r.error.code, r.error.message).not.toBe('INTERNAL');
            expect(r.error.message.length).toBeLessThan(2000);
          }
        }
        await studio.registry.dispatch('project.close', { discardUnsaved: true });
        expect(fs.readdirSync(sandbox).length).toBe(before);
        expect(fs.readFileSync(path.join(sandbox, 'outside.txt'), 'utf8')).toBe('outside');
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        fs.rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    // Both outcomes were exercised: some documents are accepted (mutations that keep them valid), most refused.
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
    expect([...outcomes.keys()].length).toBeGreaterThan(2);
  });

  it('a project.json that is a folder, a FIFO or a symlink to a huge device is refused without hanging', async () => {
    const cases: [string, (file: string) => void][] = [
      ['folder', (f) => fs.mkdirSync(f)],
      ['fifo', (f) => execFileSync('mkfifo', [f])],
      ['symlink to /dev/zero', (f) => fs.symlinkSync('/dev/zero', f)],
      ['dangling symlink', (f) => fs.symlinkSync(path.join(sandbox, 'nowhere'), f)],
    ];
    for (const [label, make] of cases) {
      const dir = path.join(sandbox, `odd-${label.replace(/\W/g, '')}`);
      fs.mkdirSync(dir);
      make(path.join(dir, 'project.json'));
      const r = await studio.registry.dispatch('project.open', { dir });
      expect(r.ok, label).toBe(false);
      expect(!r.ok && r.error.code, label).toMatch(/^PROJECT_(CORRUPT|NOT_FOUND)$/);
      expect(fs.existsSync(path.join(dir, 'project.lock')), label).toBe(false);
    }
  });
});
