/**
 * Broken packs are refused by validation, with a code and a message naming the bad field or file, before any
 * ONNX Runtime session exists; and the execution provider choice (CPU fallback here) is reported with its reason.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePack } from '../../../electron/services/inference/pack-validator';
import { PackRuntime } from '../../../electron/services/inference/pack-runtime';
import { probeProviders } from '../../../electron/services/onnx/providers';
import { createStudio } from '../../../electron/services/composition-root';
import { loadConfig } from '../../../electron/services/config';
import { runCli } from '../../../electron/cli/main';
import { ensureTestPack } from '../../fixtures/inference/test-pack';

let source: string;
let scratch: string;

beforeAll(async () => {
  source = await ensureTestPack(8);
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-packval-'));
}, 600_000);
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

let copies = 0;
/** A private copy of the good pack, changed by `mutate` (which may edit the parsed manifest). */
function brokenPack(mutate: (dir: string, manifest: any) => void): string {
  const dir = path.join(scratch, `pack-${++copies}`);
  fs.cpSync(source, dir, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  mutate(dir, manifest);
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}
const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const rehash = (dir: string, manifest: any, rel: string) => {
  manifest.files[rel] = { sha256: sha(path.join(dir, rel)), bytes: fs.statSync(path.join(dir, rel)).size };
  const graph = Object.values(manifest.graphs).find((g: any) => g.file === rel) as any;
  if (graph) graph.sha256 = manifest.files[rel].sha256;
};

async function refusal(dir: string) {
  const { report, pack } = await validatePack(dir);
  expect(pack).toBeNull();
  expect(report.valid).toBe(false);
  return report.error!;
}

describe('pack validation refuses broken packs before any session is created', () => {
  it('accepts the exported pack and lists every check', async () => {
    const { report } = await validatePack(source);
    expect(report.valid).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(['manifest schema', 'graph interfaces', 'files', 'onnx graphs', 'tokenizer']);
  });

  it('a missing graph file', async () => {
    const e = await refusal(brokenPack((dir) => fs.rmSync(path.join(dir, 'unet.onnx'))));
    expect(e.code).toBe('PACK_FILE_MISSING');
    expect(e.message).toContain('unet.onnx');
  });

  it('a graph replaced by random bytes (even with a matching sha256 in the manifest)', async () => {
    const e = await refusal(
      brokenPack((dir, m) => {
        fs.writeFileSync(path.join(dir, 'vae_decoder.onnx'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
        rehash(dir, m, 'vae_decoder.onnx');
      }),
    );
    expect(e.code).toBe('PACK_GRAPH_CORRUPT');
    expect(e.message).toContain('graphs.vae_decoder');
  });

  it('a file whose bytes changed (sha256 mismatch)', async () => {
    const e = await refusal(
      brokenPack((dir) => {
        const f = path.join(dir, 'tokenizer', 'merges.txt');
        const text = fs.readFileSync(f, 'utf8');
        fs.writeFileSync(f, text.slice(0, -2) + (text.endsWith('a\n') ? 'b\n' : 'a\n'));
      }),
    );
    expect(e.code).toBe('PACK_CHECKSUM');
    expect(e.message).toContain('tokenizer/merges.txt');
  });

  it('path traversal in the manifest', async () => {
    const e = await refusal(brokenPack((_dir, m) => (m.tokenizer.vocab = '../../etc/passwd')));
    expect(e.code).toBe('PACK_MANIFEST_INVALID');
    expect(e.message).toContain('tokenizer.vocab');
  });

  it('a symlink that points out of the pack', async () => {
    const outside = path.join(scratch, 'outside-vocab.json');
    fs.copyFileSync(path.join(source, 'tokenizer', 'vocab.json'), outside);
    const e = await refusal(
      brokenPack((dir) => {
        fs.rmSync(path.join(dir, 'tokenizer', 'vocab.json'));
        fs.symlinkSync(outside, path.join(dir, 'tokenizer', 'vocab.json'));
      }),
    );
    expect(e.code).toBe('PACK_PATH_UNSAFE');
    expect(e.message).toContain('outside the pack');
  });

  it('a manifest field of the wrong type names the field', async () => {
    const e = await refusal(brokenPack((_dir, m) => (m.config.fps = 'twelve')));
    expect(e.code).toBe('PACK_MANIFEST_INVALID');
    expect(e.message).toContain('config.fps');
  });

  it('declared tensors that differ from the graph', async () => {
    // Consistent manifest (interface of PACK.md for this config) but the graph file says otherwise:
    // swap in the K=8 text encoder declared with a different width everywhere.
    const e = await refusal(
      brokenPack((_dir, m) => {
        m.config.textDim = 32;
        for (const g of Object.values(m.graphs) as any[]) for (const t of [...g.inputs, ...g.outputs]) if (t.name === 'text_embeds') t.shape[t.shape.length - 1] = 32;
      }),
    );
    expect(e.code).toBe('PACK_GRAPH_MISMATCH');
    expect(e.message).toMatch(/text_embeds float32\[1,77,32\].*graph has text_embeds float32\[1,77,64\]/);
  });

  it('unsupported guide input is refused with a clear message', async () => {
    const e = await refusal(brokenPack((_dir, m) => (m.config.guideChannels = 3)));
    expect(e.code).toBe('PACK_UNSUPPORTED');
    expect(e.message).toContain('guideChannels');
  });

  it('PackRuntime.open throws the validation error (no session is created for a broken pack)', async () => {
    const dir = brokenPack((dir) => fs.rmSync(path.join(dir, 'text_encoder.onnx')));
    await expect(PackRuntime.open(dir)).rejects.toMatchObject({ code: 'PACK_FILE_MISSING' });
  });

  it('CLI: pack validate exits 1 with one line for a broken pack, 0 and one JSON object for a good one', async () => {
    const dir = brokenPack((_dir, m) => (m.scheduler.type = 'euler'));
    let out = '';
    let err = '';
    const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s) };
    expect(await runCli(['pack', 'validate', dir, '--json'], io)).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ ok: false, error: { code: 'PACK_MANIFEST_INVALID' } });
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain('scheduler.type');
    out = '';
    expect(await runCli(['pack', 'validate', source, '--json'], io)).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ valid: true, name: 'test-random-k8' });
  });
});

describe('execution provider', () => {
  it('falls back to CPU on a machine without the CUDA build, and says why', async () => {
    const selection = await probeProviders();
    expect(selection.providers).toContain('cpu');
    const cuda = selection.details.find((d) => d.name === 'cuda')!;
    if (cuda.available) {
      expect(selection.selected).toBe('cuda');
      return;
    }
    expect(selection.selected).toBe('cpu');
    // The main panel shows a sentence, not ORT's raw "Failed to load shared library" (issue 23 #9); the raw
    // reason stays in the details (System → Doctor).
    expect(selection.selectedReason).toMatch(/^Using the CPU: no NVIDIA GPU/);
    expect(selection.selectedReason).not.toMatch(/OrtSession|shared library|\.so/);
    expect(cuda.reason).toMatch(/^CUDA provider unavailable/);
    expect(cuda.reason).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
  });

  it('the open runtime and pack.list report the provider and the reason', async () => {
    const runtime = await PackRuntime.open(source);
    try {
      const selection = await probeProviders();
      expect(runtime.provider).toBe(selection.selected);
      expect(runtime.providerReason).toBe(selection.selectedReason);
    } finally {
      await runtime.close();
    }
    process.env.MUSEDANCE_PACK_DIRS = source;
    const studio = createStudio('test', { ...loadConfig(), dataDir: scratch });
    const r = await studio.registry.dispatch('pack.list', {});
    expect(r.ok).toBe(true);
    const value = (r as any).value;
    expect(value.provider.reason.length).toBeGreaterThan(10);
    expect(value.packs.find((p: any) => p.dir === source)).toMatchObject({ problem: null, framesPerSegment: 8 });
    delete process.env.MUSEDANCE_PACK_DIRS;
  });
});
