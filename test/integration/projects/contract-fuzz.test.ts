/**
 * Property-based hostile input over EVERY channel of the contract, through a real HandlerRegistry from
 * createStudio('test'): random values, prototype-pollution keys, deep nesting, huge strings, hostile paths and
 * schema-shaped requests with hostile fields. Every call must settle with a well-formed Result (never a throw,
 * never INTERNAL, ok replies must match the reply schema), and nothing may be written outside the sandbox's
 * project folders (a "victim" folder and an outside file are watched).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelNames, contract, type ChannelName } from '../../../electron/shared/contract/index';
import type { Project } from '../../../electron/shared/domain/project';
import { scratchDir, testStudio, type TestStudio } from './helpers';

const RUNS_PER_CHANNEL = 30;
/** A call that has not settled by then counts as a hang. */
const CALL_TIMEOUT_MS = 30_000;
/** Valid requests of these channels run real toolchain probes for seconds; hostile ones are still sent. */
const SLOW_WHEN_VALID = new Set<string>(['system.doctor']);
/** A schema-valid call slower than this marks its channel slow: later valid requests to it are not sent again. */
const SLOW_CALL_MS = 1_000;

let sandbox: string;
let studio: TestStudio;
let project: Project;
let victimBefore: string;
/** Requests that passed the schema, per channel: proof the fuzz reached the handlers, not just zod. */
const validRequests = new Map<string, number>();
const victimDir = () => path.join(sandbox, 'victim');
const projectDir = () => path.join(sandbox, 'project');

/** Every file under `dir` with its content hash: any write, creation or deletion changes it. */
function snapshot(dir: string): string {
  const lines: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else lines.push(`${path.relative(dir, p)} ${e.isFile() ? crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex') : 'special'}`);
    }
  };
  walk(dir);
  return lines.join('\n');
}

function deepArray(depth: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

function deepObject(depth: number): unknown {
  let v: unknown = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

const protoPayloads = (): unknown[] => [
  JSON.parse('{"__proto__":{"polluted":"yes"}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'),
  JSON.parse('{"dir":"/tmp","__proto__":{"polluted":"yes"},"name":"x"}'),
  Object.create(null),
];

beforeAll(async () => {
  sandbox = scratchDir('musedance-fuzz-');
  fs.mkdirSync(path.join(victimDir(), 'nested'), { recursive: true });
  fs.writeFileSync(path.join(victimDir(), 'precious.txt'), 'do not touch');
  fs.writeFileSync(path.join(victimDir(), 'nested', 'project.json'), '{"version":1,"name":"not yours"}');
  studio = testStudio(path.join(sandbox, 'data'));
  project = (await studio.call('project.new', { dir: projectDir(), name: 'fuzz target' })).project;
  // A symlink inside the project that points at the victim: following it would be a write outside.
  fs.symlinkSync(victimDir(), path.join(projectDir(), 'media', 'escape'));
  victimBefore = snapshot(victimDir());
});

afterAll(() => {
  if (sandbox) fs.rmSync(sandbox, { recursive: true, force: true });
});

function hostilePaths(): string[] {
  return [
    '', '.', '..', '/', '../../../../etc/passwd', '/etc/passwd', '/proc/self/mem', '/dev/zero', 'C:\\Windows\\system32', '\\\\server\\share',
    'relative/dir', `${projectDir()}/../victim`, victimDir(), path.join(victimDir(), 'precious.txt'), path.join(victimDir(), 'nested'),
    path.join(projectDir(), 'media', 'escape'), path.join(projectDir(), 'media', 'escape', 'precious.txt'), `${projectDir()}\0/x`, 'x'.repeat(5000),
    `${sandbox}/new-${crypto.randomBytes(3).toString('hex')}`, projectDir(), `file://${victimDir()}`, '%2e%2e%2f%2e%2e%2fetc',
  ];
}

const hostileScalars: unknown[] = [null, undefined, true, 0, -1, -0, 1.5, NaN, Infinity, -Infinity, 2 ** 53, 1e308, '', ' ', '\u0000', '\u202e', 'x'.repeat(1 << 20), [], {}];

/** Values for one field of a request, chosen by what the field name suggests: usually plausible, often hostile. */
function fieldValue(key: string): fc.Arbitrary<unknown> {
  const hostile = fc.oneof(fc.constantFrom(...hostileScalars), fc.constantFrom(...protoPayloads()), fc.constant(deepArray(5000)), fc.constant(deepObject(2000)), fc.anything({ maxDepth: 3 }));
  let plausible: fc.Arbitrary<unknown>;
  if (/dir|path|file|out|folder/i.test(key)) plausible = fc.oneof(fc.constantFrom(...hostilePaths()), fc.string({ maxLength: 40 }));
  else if (key === 'project') {
    const variants: unknown[] = [
      project,
      project,
      { ...project, name: 'x'.repeat(10_000) },
      { ...project, id: '../../etc' },
      { ...project, id: 'someoneelse01' },
      { ...project, version: 3 },
      { ...project, beats: Array.from({ length: 20_001 }, (_, i) => ({ id: `b${i}`, timeSec: i, source: 'user', anchored: false })) },
      { ...project, song: { path: '../victim/precious.txt', sha256: '0'.repeat(64), originalName: 'x' } },
      { ...project, song: { path: 'media/escape/precious.txt', sha256: '0'.repeat(64), originalName: 'x' } },
      { ...project, segments: [{ id: 's', startFrame: 0, frames: 48, prompt: 'p'.repeat(100_000), seed: 1, colour: '#000000', takes: [] }] },
      JSON.parse(JSON.stringify({ ...project, extra: 1 }).replace('{', '{"__proto__":{"polluted":"yes"},')),
    ];
    plausible = fc.constantFrom(...variants);
  } else if (/revision|seq|fps|count|index|sec|seed|steps|width|height/i.test(key)) plausible = fc.oneof(fc.nat(), fc.integer(), fc.double());
  else if (/^(autosave|readOnly|discardUnsaved|overwrite)$/.test(key)) plausible = fc.boolean();
  else if (key === 'candidateId') plausible = fc.constantFrom(null, 'autosave', 'backup:../project.lock', 'backup:project.000000000001.json', 'backup:..json', '../../x');
  else if (/name|prompt|label|title|id$/i.test(key)) plausible = fc.string({ maxLength: 300 });
  else plausible = fc.oneof(fc.boolean(), fc.string({ maxLength: 50 }), fc.nat());
  return fc.oneof({ arbitrary: plausible, weight: 4 }, { arbitrary: hostile, weight: 1 });
}

/** A request with the channel's own field names (so checks past the first layer are reached), values hostile. */
function shapedRequest(name: ChannelName): fc.Arbitrary<unknown> | null {
  let schema: { properties?: Record<string, unknown> };
  try {
    schema = z.toJSONSchema(contract[name].request as z.ZodType, { io: 'input', unrepresentable: 'any' }) as typeof schema;
  } catch {
    return null;
  }
  const keys = Object.keys(schema.properties ?? {});
  if (!keys.length) return null;
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const k of keys) record[k] = fieldValue(k);
  return fc.record(record, { requiredKeys: [] });
}

function requestArbitrary(name: ChannelName): fc.Arbitrary<unknown> {
  const generic = fc.oneof(
    fc.anything({ maxDepth: 4, withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }),
    fc.constantFrom(...hostileScalars, ...protoPayloads(), deepArray(10_000), deepObject(10_000)),
  );
  const shaped = shapedRequest(name);
  const arb = shaped ? fc.oneof({ arbitrary: shaped, weight: 3 }, { arbitrary: generic, weight: 1 }) : generic;
  return arb;
}

/** One schema-valid request drawn from the shaped generator, so every run reaches the handler at least once. */
function validExample(name: ChannelName): [unknown][] {
  const shaped = shapedRequest(name);
  if (!shaped || SLOW_WHEN_VALID.has(name)) return [];
  const found = fc.sample(shaped, { numRuns: 3000 }).find((r) => contract[name].request.safeParse(r).success);
  return found === undefined ? [] : [[found]];
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not settle in ${ms} ms`)), ms).unref())]);

describe('hostile IPC payloads on every channel', () => {
  it('the contract has channels and every one is fuzzed', () => {
    expect(channelNames.length).toBeGreaterThan(5);
    expect(channelNames).toContain('project.save');
  });

  for (const name of channelNames) {
    it(`${name}: error values, never a crash, never INTERNAL, replies match the schema`, async () => {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(name), async (request) => {
          const valid = contract[name].request.safeParse(request).success;
          if (valid && SLOW_WHEN_VALID.has(name)) return;
          if (valid) validRequests.set(name, (validRequests.get(name) ?? 0) + 1);
          const startedAt = performance.now();
          const r = await withTimeout(studio.registry.dispatch(name, request, {}), CALL_TIMEOUT_MS, name);
          if (valid && performance.now() - startedAt > SLOW_CALL_MS) SLOW_WHEN_VALID.add(name);
          expect(typeof r.ok).toBe('boolean');
          if (r.ok) {
            const reply = contract[name].reply.safeParse(r.value);
            expect(reply.success, `${name} reply does not match its schema`).toBe(true);
          } else {
            expect(r.error.code).toMatch(/^[A-Z][A-Z0-9_]{1,63}$/);
            expect(r.error.code, `${name} threw unexpectedly: ${r.error.message}`).not.toBe('INTERNAL');
            expect(typeof r.error.message).toBe('string');
            expect(r.error.message.length).toBeLessThanOrEqual(2000);
          }
        }),
        { numRuns: RUNS_PER_CHANNEL, endOnFailure: true, examples: validExample(name) },
      );
    });
  }

  it('reached the handlers of every project channel with schema-valid requests', () => {
    const unreached = channelNames.filter((n) => n.startsWith('project.') && !validRequests.get(n));
    expect(unreached).toEqual([]);
  });

  it('left the victim folder byte-identical and Object.prototype clean', async () => {
    expect(snapshot(victimDir())).toBe(victimBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
    // Only folders the fuzz was allowed to create exist in the sandbox.
    const unexpected = fs.readdirSync(sandbox).filter((n) => !['data', 'project', 'victim'].includes(n) && !n.startsWith('new-'));
    expect(unexpected).toEqual([]);
  });
});
