/**
 * Issue 25, items 4 and 5: `pack validate` answers with a named error, never INTERNAL, for a graph of exactly
 * 2 GiB (its size is checked before anything reads it: a sparse file, so the test costs no disk) and for a
 * 300,000-entry vocab.json (no spread of every id into Math.max).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePack } from '../../../electron/services/inference/pack-validator';
import { runCli } from '../../../electron/cli/main';
import { ensureTestPack } from '../../fixtures/inference/test-pack';

/** sha256 of 2^31 zero bytes (`head -c 2147483648 /dev/zero | sha256sum`): what a sparse 2 GiB file hashes to. */
const SHA256_OF_2GIB_ZEROS = 'a7c744c13cc101ed66c29f672f92455547889cc586ce6d44fe76ae824958ea51';

let source: string;
let scratch: string;

beforeAll(async () => {
  source = await ensureTestPack(8);
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-pack-hostile-'));
}, 600_000);
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

let copies = 0;
function packCopy(mutate: (dir: string, manifest: any) => void): string {
  const dir = path.join(scratch, `pack-${++copies}`);
  fs.cpSync(source, dir, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  mutate(dir, manifest);
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

async function cliValidate(dir: string) {
  let out = '';
  const code = await runCli(['pack', 'validate', dir, '--json'], { out: (s) => ((out += s), true), err: () => true });
  return { code, json: JSON.parse(out) as { ok: false; error: { code: string; message: string } } };
}

describe('pack validate on hostile packs', () => {
  it('a graph of exactly 2 GiB (with a matching sha256): a named error, from its size, before reading it', async () => {
    const dir = packCopy((d, m) => {
      const file = path.join(d, 'unet.onnx');
      fs.rmSync(file);
      fs.writeFileSync(file, '');
      fs.truncateSync(file, 2 * 1024 ** 3);
      m.files['unet.onnx'] = { sha256: SHA256_OF_2GIB_ZEROS, bytes: 2 * 1024 ** 3 };
      m.graphs.unet.sha256 = SHA256_OF_2GIB_ZEROS;
    });
    const started = performance.now();
    const { report } = await validatePack(dir);
    expect(report.error).toMatchObject({ code: 'PACK_GRAPH_TOO_LARGE', message: expect.stringMatching(/unet\.onnx is 2147483648 bytes/) });
    // Refused from its size: hashing 2 GiB alone takes several seconds here.
    expect(performance.now() - started).toBeLessThan(3000);
    const cli = await cliValidate(dir);
    expect(cli.code).toBe(1);
    expect(cli.json.error.code).toBe('PACK_GRAPH_TOO_LARGE');
  });

  it('a vocab.json of 300,000 entries: no stack overflow, a named tokenizer verdict', async () => {
    const dir = packCopy((d, m) => {
      const file = path.join(d, m.tokenizer.vocab);
      const vocab = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, number>;
      for (let i = 0; i < 300_000; i++) vocab[`extra-token-${i}`] = 1_000_000 + i;
      fs.writeFileSync(file, JSON.stringify(vocab));
      const bytes = fs.readFileSync(file);
      m.files[m.tokenizer.vocab] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    });
    const { report } = await validatePack(dir);
    expect(report.error).toMatchObject({ code: 'PACK_TOKENIZER_INVALID', message: expect.stringMatching(/max 1299999/) });
    expect((await cliValidate(dir)).json.error.code).toBe('PACK_TOKENIZER_INVALID');
  });
});
