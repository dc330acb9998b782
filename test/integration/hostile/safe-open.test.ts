/**
 * Issue 25: the one file opener every command and service uses (services/util/safe-open). Property tests over
 * random files, sizes, FIFOs, devices and symlink chains (in, out, dangling, looping): every call answers
 * within a time bound with the bytes of a regular file inside its root, or with a named FILE_* error. What is
 * really opened is checked in a child process traced by strace: nothing outside the root, never a FIFO.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FileErrorCodes, readRegularFile } from '../../../electron/services/util/safe-open';
import { StudioError } from '../../../electron/shared/result';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-safe-open-'));
const root = path.join(base, 'root');
const outside = path.join(base, 'outside');
fs.mkdirSync(root);
fs.mkdirSync(outside);
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));
const repo = path.resolve(import.meta.dirname, '../../..');
const NAMED = new Set(Object.values(FileErrorCodes));

type Entry =
  | { kind: 'file'; bytes: Uint8Array }
  | { kind: 'fifo' }
  | { kind: 'dir' }
  | { kind: 'device' }
  | { kind: 'link-in'; depth: number; bytes: Uint8Array }
  | { kind: 'link-out'; depth: number }
  | { kind: 'dir-link-out' }
  | { kind: 'dangling' }
  | { kind: 'loop' }
  | { kind: 'long-name' };

let counter = 0;
/** Makes the entry in the root; returns its path and what a correct opener must answer. */
function make(entry: Entry, maxBytes: number): { file: string; expect: 'bytes' | string; size?: number } {
  const id = `e${++counter}`;
  const file = path.join(root, id);
  switch (entry.kind) {
    case 'file':
      fs.writeFileSync(file, entry.bytes);
      return { file, expect: entry.bytes.length > maxBytes ? FileErrorCodes.tooLarge : 'bytes', size: entry.bytes.length };
    case 'fifo':
      execFileSync('mkfifo', [file]);
      return { file, expect: FileErrorCodes.notAFile };
    case 'dir':
      fs.mkdirSync(file);
      return { file, expect: FileErrorCodes.notAFile };
    case 'device':
      fs.symlinkSync('/dev/zero', file);
      return { file, expect: FileErrorCodes.outsideRoot };
    case 'link-in': {
      fs.writeFileSync(`${file}.target`, entry.bytes);
      let target = `${file}.target`;
      for (let d = 0; d < entry.depth; d++) {
        const link = `${file}.l${d}`;
        fs.symlinkSync(path.basename(target), link);
        target = link;
      }
      fs.symlinkSync(path.basename(target), file);
      return { file, expect: entry.bytes.length > maxBytes ? FileErrorCodes.tooLarge : 'bytes', size: entry.bytes.length };
    }
    case 'link-out': {
      const secret = path.join(outside, id);
      fs.writeFileSync(secret, 'SECRET');
      let target = secret;
      for (let d = 0; d < entry.depth; d++) {
        const link = `${file}.l${d}`;
        fs.symlinkSync(target, link);
        target = link;
      }
      fs.symlinkSync(target, file);
      return { file, expect: FileErrorCodes.outsideRoot };
    }
    case 'dir-link-out': {
      fs.mkdirSync(path.join(outside, id));
      fs.writeFileSync(path.join(outside, id, 'f'), 'SECRET');
      fs.symlinkSync(path.join(outside, id), file);
      return { file: path.join(file, 'f'), expect: FileErrorCodes.outsideRoot };
    }
    case 'dangling':
      fs.symlinkSync(path.join(root, `${id}-nowhere`), file);
      return { file, expect: FileErrorCodes.notFound };
    case 'loop':
      fs.symlinkSync(`${id}.b`, file);
      fs.symlinkSync(id, `${file}.b`);
      return { file, expect: FileErrorCodes.notFound };
    case 'long-name':
      return { file: path.join(root, 'x'.repeat(5000)), expect: FileErrorCodes.notFound };
  }
}

const entry: fc.Arbitrary<Entry> = fc.oneof(
  fc.record({ kind: fc.constant('file' as const), bytes: fc.uint8Array({ maxLength: 4096 }) }),
  fc.constant({ kind: 'fifo' as const }),
  fc.constant({ kind: 'dir' as const }),
  fc.constant({ kind: 'device' as const }),
  fc.record({ kind: fc.constant('link-in' as const), depth: fc.integer({ min: 0, max: 6 }), bytes: fc.uint8Array({ maxLength: 512 }) }),
  fc.record({ kind: fc.constant('link-out' as const), depth: fc.integer({ min: 0, max: 6 }) }),
  fc.constant({ kind: 'dir-link-out' as const }),
  fc.constant({ kind: 'dangling' as const }),
  fc.constant({ kind: 'loop' as const }),
  fc.constant({ kind: 'long-name' as const }),
);

/** The opener's answer, or 'TIMEOUT' when it did not answer within the bound (a blocked open or read). */
async function answer(file: string, maxBytes: number): Promise<{ bytes?: Buffer; code?: string }> {
  const timeout = new Promise<{ code: string }>((resolve) => setTimeout(() => resolve({ code: 'TIMEOUT' }), 2000).unref());
  const read = readRegularFile(file, { root, maxBytes }).then(
    (r) => ({ bytes: r.bytes }),
    (e: unknown) => ({ code: e instanceof StudioError ? e.code : `THROWN ${String(e)}` }),
  );
  return Promise.race([read, timeout]);
}

describe('the safe file opener (property tests)', () => {
  it('answers every kind of path with its bytes or a named error, within 2 s', async () => {
    await fc.assert(
      fc.asyncProperty(entry, fc.integer({ min: 0, max: 4096 }), async (e, maxBytes) => {
        const made = make(e, maxBytes);
        const got = await answer(made.file, maxBytes);
        if (made.expect === 'bytes') {
          expect(got.code, `${e.kind}`).toBeUndefined();
          expect(got.bytes!.length).toBe(made.size);
        } else {
          expect(got.code, `${e.kind}: ${got.code}`).toBe(made.expect);
          expect(NAMED.has(got.code!)).toBe(true);
        }
      }),
      { numRuns: 40, seed: 25 },
    );
  });

  it('opens nothing outside its root and never a FIFO (strace of a child process)', () => {
    const kinds: Entry[] = [
      { kind: 'fifo' },
      { kind: 'link-out', depth: 0 },
      { kind: 'link-out', depth: 3 },
      { kind: 'dir-link-out' },
      { kind: 'device' },
      { kind: 'file', bytes: new Uint8Array([1, 2, 3]) },
      { kind: 'link-in', depth: 2, bytes: new Uint8Array([4, 5]) },
      { kind: 'file', bytes: new Uint8Array(5000) },
    ];
    const made = kinds.map((k) => ({ kind: k.kind, ...make(k, 4096) }));
    const log = path.join(base, 'strace.log');
    const r = spawnSync(
      'strace',
      ['-f', '-qq', '-e', 'trace=open,openat,openat2,creat', '-o', log, process.execPath, path.join(repo, 'node_modules/tsx/dist/cli.mjs'), path.join(import.meta.dirname, 'safe-open-child.ts'), JSON.stringify({ root, maxBytes: 4096, paths: made.map((m) => m.file) })],
      { cwd: repo, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' },
    );
    expect(r.status, r.stderr).toBe(0);
    const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; ok: boolean; code?: string; bytes?: number });
    expect(results.map((x) => (x.ok ? 'bytes' : x.code))).toEqual(made.map((m) => m.expect));
    const opened = fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .map((l) => /open(?:at2?)?\((?:AT_FDCWD, )?"([^"]+)"/.exec(l)?.[1])
      .filter((p): p is string => !!p && p.startsWith(base));
    const fifos = made.filter((m) => m.kind === 'fifo').map((m) => m.file);
    for (const p of opened) {
      expect(p.startsWith(outside + path.sep), `opened ${p}`).toBe(false);
      expect(fifos).not.toContain(p);
    }
    // The regular files inside were really opened (the trace sees the opener's opens).
    expect(opened.filter((p) => p.startsWith(root + path.sep)).length).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
