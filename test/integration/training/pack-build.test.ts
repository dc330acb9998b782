/**
 * Your own weights, end to end at tiny widths (issue 20): fake SD1.5/AST/Moore-AnimateAnyone/AnimateDiff sources
 * with the published key names (native-models/scripts/make_fake_sources.py) -> `musedance pack build` (CLI, real
 * Python builder) -> `pack validate` -> `generate` 2 DDIM steps through ONNX Runtime -> frames on disk. Also: the
 * source probe, refusing incomplete sources before Python starts, cancel (nothing left, no process), a pack whose
 * UNet is ONNX external data, and the engine refusing a pack that does not fit in free memory.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudio, type Studio } from '../../../electron/services/composition-root';
import { loadConfig } from '../../../electron/services/config';
import { inferenceServiceFor } from '../../../electron/services/inference/handlers';
import { cli } from '../cli-in-process';

const PYTHON = process.env.MUSEDANCE_PYTHON || '/usr/bin/python3';
const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
/** Tiny widths (2 UNet levels) build in about a minute on an idle 2-core machine; a loaded one takes several. */
const BUILD_TIMEOUT_MS = 20 * 60_000;

let root: string;
let fake: { sd15: string; ast: string; animateAnyone: string; motionModule: string };
let studio: Studio;
let packDir: string;
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-packbuild-'));
  process.env.MUSEDANCE_DATA_DIR = path.join(root, 'data');
  const out = execFileSync(PYTHON, [path.join(ROOT, 'native-models', 'scripts', 'make_fake_sources.py'), '--width', 'tiny', '--out', path.join(root, 'fake')], { encoding: 'utf8', timeout: 300_000 });
  const made = JSON.parse(out.trim().split('\n').pop()!);
  fake = { sd15: made.sd15, ast: made.ast, animateAnyone: made.animateAnyone, motionModule: made.motionModule };
  studio = createStudio('test', { ...loadConfig(), dataDir: path.join(root, 'data') });
  const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args]);
  const project = path.join(root, 'project');
  fs.mkdirSync(path.join(project, 'media'), { recursive: true });
  fs.writeFileSync(path.join(project, 'project.json'), '{}');
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=160x120', '-frames:v', '1', path.join(project, 'media', 'ref.png'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=330:d=2', path.join(project, 'media', 'song.wav'));
}, 360_000);

afterAll(async () => {
  await inferenceServiceFor(studio).close();
  delete process.env.MUSEDANCE_DATA_DIR;
  delete process.env.MUSEDANCE_PACK_DIRS;
  delete process.env.MUSEDANCE_FREE_MEMORY_BYTES;
  fs.rmSync(root, { recursive: true, force: true });
});

const generate = (packId: string, steps = 2) =>
  studio.registry.dispatch('generate.segment', {
    projectDir: path.join(root, 'project'),
    packId,
    segmentId: 'seg-1',
    startFrame: 0,
    prompt: 'a dancer bounces on every beat',
    seed: 3,
    steps,
    guidance: 3.5,
    beatsSec: [0.1],
    referencePath: 'media/ref.png',
    songPath: 'media/song.wav',
    previousTakePath: null,
    previewVideo: false,
  }) as Promise<any>;

describe('pack build from your own weights (tiny widths)', () => {
  it('probes the sources: recognised files per folder, and what is missing', async () => {
    const broken = path.join(root, 'sd15-no-vae');
    fs.cpSync(fake.sd15, broken, { recursive: true });
    fs.rmSync(path.join(broken, 'vae'), { recursive: true });
    const r = (await studio.registry.dispatch('pack.probeSources', { sources: { ...fake } })) as any;
    expect(r.ok).toBe(true);
    const byKind = Object.fromEntries(r.value.probes.map((p: any) => [p.kind, p]));
    expect(byKind.sd15.ok).toBe(true);
    expect(byKind.sd15.found.map((f: any) => f.role)).toEqual(expect.arrayContaining(['unet weights', 'vae weights', 'text encoder weights', 'tokenizer vocab']));
    expect(byKind.animateAnyone.found.map((f: any) => f.role)).toEqual(expect.arrayContaining(['reference UNet', 'denoising UNet', 'motion module']));
    expect(byKind.motionModule.ok).toBe(true);
    const bad = (await studio.registry.dispatch('pack.probeSources', { sources: { sd15: broken } })) as any;
    expect(bad.value.probes[0]).toMatchObject({ ok: false, missing: [expect.stringMatching(/^vae weights/)] });
    // build refuses it at once, naming the missing part, before any Python starts
    const t0 = Date.now();
    const refused = (await studio.registry.dispatch('pack.build', { sources: { sd15: broken }, size: { height: 64, width: 64, frames: 4 }, out: path.join(root, 'never') })) as any;
    expect(refused).toMatchObject({ ok: false, error: { code: 'PACK_BUILD_SOURCES', message: expect.stringMatching(/vae weights/) } });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(fs.existsSync(path.join(root, 'never'))).toBe(false);
  });

  it('CLI: usage errors and a missing run are one-line messages, not stack traces', async () => {
    const noSd15 = await cli(['pack', 'build', '--out', path.join(root, 'x'), '--json']);
    expect(noSd15.code).toBe(1);
    expect(JSON.parse(noSd15.out).error.code).toBe('CLI_USAGE');
    const badSize = await cli(['pack', 'build', '--sd15', fake.sd15, '--height', '100', '--out', path.join(root, 'x')]);
    expect(badSize.err).toMatch(/^musedance: --height must be a multiple of 8/);
    const noOut = await cli(['pack', 'export', '--run', path.join(root, 'no-run')]);
    expect(noOut.code).toBe(1);
    const noRun = await cli(['pack', 'export', '--run', path.join(root, 'no-run'), '--out', path.join(root, 'x'), '--json']);
    expect(noRun.code).toBe(1);
    expect(JSON.parse(noRun.out).error.code).toBe('TRAINING_RUN_NOT_FOUND');
    expect(noRun.err.trim().split('\n')).toHaveLength(1);
  });

  it('cancel stops the builder at once and leaves nothing behind', async () => {
    const out = path.join(root, 'cancelled-pack');
    let cancelledAt = 0;
    const pending = studio.registry.dispatch('pack.build', { sources: fake, size: { height: 64, width: 64, frames: 4 }, out }, {
      jobId: 'build-cancel',
      emit: (e, p: any) => {
        // cancel once the builder is past its estimate and reading weights
        if (e === 'job.progress' && !cancelledAt && /^(import|build|export): /.test(p.message)) {
          cancelledAt = Date.now();
          studio.registry.cancel('build-cancel');
        }
      },
    });
    const r = (await pending) as any;
    expect(cancelledAt).toBeGreaterThan(0);
    expect(r).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(Date.now() - cancelledAt).toBeLessThan(10_000);
    expect(fs.readdirSync(root).filter((n) => n.startsWith('cancelled-pack'))).toEqual([]);
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(ps).not.toContain(out);
  }, BUILD_TIMEOUT_MS);

  it('builds with the CLI, validates, and generates 2 DDIM steps through ONNX Runtime', async () => {
    packDir = path.join(root, 'packs', 'my-small-pack');
    const built = await cli(['pack', 'build', '--sd15', fake.sd15, '--ast', fake.ast, '--animate-anyone', fake.animateAnyone, '--motion-module', fake.motionModule, '--height', '64', '--width', '64', '--frames', '4', '--out', packDir, '--json']);
    expect(built.err).toBe('');
    expect(built.code).toBe(0);
    const r = JSON.parse(built.out);
    expect(r.packDir).toBe(fs.realpathSync(packDir));
    expect(r.probes).toHaveLength(4);
    expect(r.estimate.gpu.peakBytes).toBeGreaterThan(0);
    expect(r.estimate.cpu.secondsPerSegment).toBeGreaterThan(0);
    expect(r.loadCheck).toMatch(/checks passed/);

    const validated = await cli(['pack', 'validate', packDir, '--json']);
    expect(validated.code).toBe(0);
    expect(JSON.parse(validated.out).valid).toBe(true);
    const m = JSON.parse(fs.readFileSync(path.join(packDir, 'manifest.json'), 'utf8'));
    expect(m.config).toMatchObject({ height: 64, width: 64, framesPerSegment: 4 });
    expect(m.sizes.totalBytes).toBeGreaterThan(0);
    expect(m.importReport).toBeTruthy();

    process.env.MUSEDANCE_PACK_DIRS = packDir;
    const g = await generate('my-small-pack');
    expect(g.ok).toBe(true);
    const frames = fs.readdirSync(path.join(root, 'project', g.value.framesDir)).filter((f) => f.endsWith('.png'));
    expect(frames).toHaveLength(4);
    expect(g.value.take.steps).toBe(2);
  }, BUILD_TIMEOUT_MS);

  it('loads a pack whose UNet is ONNX external data, and refuses a graph that reads an undeclared data file', async () => {
    const ext = path.join(root, 'packs', 'ext-pack');
    fs.cpSync(packDir, ext, { recursive: true });
    const unet = path.join(ext, 'unet.onnx');
    execFileSync(PYTHON, ['-c', `import onnx; m = onnx.load(${JSON.stringify(unet)}); onnx.save_model(m, ${JSON.stringify(unet)}, save_as_external_data=True, all_tensors_to_one_file=True, location="unet.onnx.data", size_threshold=0)`]);
    const m = JSON.parse(fs.readFileSync(path.join(ext, 'manifest.json'), 'utf8'));
    const entry = (f: string) => ({ sha256: sha256(path.join(ext, f)), bytes: fs.statSync(path.join(ext, f)).size });
    m.files['unet.onnx'] = entry('unet.onnx');
    m.files['unet.onnx.data'] = entry('unet.onnx.data');
    m.graphs.unet.sha256 = m.files['unet.onnx'].sha256;
    m.graphs.unet.externalData = 'unet.onnx.data';
    fs.writeFileSync(path.join(ext, 'manifest.json'), JSON.stringify(m));
    expect(m.files['unet.onnx'].bytes).toBeLessThan(m.files['unet.onnx.data'].bytes);

    const ok = (await studio.registry.dispatch('pack.validate', { dir: ext })) as any;
    expect(ok.value).toMatchObject({ valid: true });
    process.env.MUSEDANCE_PACK_DIRS = ext;
    const g = await generate('ext-pack', 1);
    expect(g.ok).toBe(true);

    // The graph reads unet.onnx.data; a manifest that declares another file for it is refused.
    fs.copyFileSync(path.join(ext, 'unet.onnx.data'), path.join(ext, 'other.data'));
    m.files['other.data'] = entry('other.data');
    m.graphs.unet.externalData = 'other.data';
    fs.writeFileSync(path.join(ext, 'manifest.json'), JSON.stringify(m));
    const bad = (await studio.registry.dispatch('pack.validate', { dir: ext })) as any;
    expect(bad.value).toMatchObject({ valid: false, error: { code: 'PACK_GRAPH_MISMATCH', message: expect.stringMatching(/external data from "unet.onnx.data"/) } });
  }, BUILD_TIMEOUT_MS);

  it('refuses to open a pack that does not fit in free memory, with its estimate (GiB, seconds per segment)', async () => {
    await inferenceServiceFor(studio).close();
    process.env.MUSEDANCE_PACK_DIRS = packDir;
    process.env.MUSEDANCE_FREE_MEMORY_BYTES = String(64 * 1024 ** 2);
    try {
      const g = await generate('my-small-pack');
      expect(g).toMatchObject({ ok: false, error: { code: 'INFERENCE_NOT_ENOUGH_MEMORY' } });
      expect(g.error.message).toMatch(/needs ~[\d.]+ GiB/);
      expect(g.error.message).toMatch(/per segment/);
    } finally {
      delete process.env.MUSEDANCE_FREE_MEMORY_BYTES;
    }
  });
});
