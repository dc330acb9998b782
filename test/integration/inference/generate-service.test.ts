/**
 * generate.* through the real registry (schemas, handlers, ORT worker, ffmpeg) with a K=8 pack: a first segment,
 * an extension conditioned on its last latents, reproducible seeds, cancellation that leaves no partial take, and
 * hostile requests refused as error values.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudio, type Studio } from '../../../electron/services/composition-root';
import { loadConfig } from '../../../electron/services/config';
import { inferenceServiceFor } from '../../../electron/services/inference/handlers';
import { ensureTestPack } from '../../fixtures/inference/test-pack';

let studio: Studio;
let work: string;
let packId: string;
const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args]);

beforeAll(async () => {
  const pack = await ensureTestPack(8);
  packId = path.basename(pack);
  process.env.MUSEDANCE_PACK_DIRS = pack;
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-gen-'));
  fs.writeFileSync(path.join(work, 'project.json'), '{}');
  fs.mkdirSync(path.join(work, 'media'));
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=160x120', '-frames:v', '1', path.join(work, 'media', 'ref.png'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=330:d=3', path.join(work, 'media', 'song.wav'));
  studio = createStudio('test', { ...loadConfig(), dataDir: path.join(work, 'data') });
}, 600_000);

afterAll(async () => {
  await inferenceServiceFor(studio).close();
  delete process.env.MUSEDANCE_PACK_DIRS;
  fs.rmSync(work, { recursive: true, force: true });
});

const request = (over: Record<string, unknown> = {}) => ({
  projectDir: work,
  packId,
  segmentId: 'seg-1',
  startFrame: 0,
  prompt: 'a red robot sways side to side',
  seed: 11,
  steps: 2,
  guidance: 3.5,
  beatsSec: [0.1, 0.5],
  referencePath: 'media/ref.png',
  songPath: 'media/song.wav',
  previousTakePath: null,
  previewVideo: false,
  ...over,
});

const latentsOf = (take: string) => fs.readFileSync(path.join(work, take, 'latents.f32'));

describe('generate.segment', () => {
  let first: any;

  it('makes a take with K frames, latents, QA and progress/preview events', async () => {
    const events: string[] = [];
    const r = await studio.registry.dispatch('generate.segment', request(), { jobId: 'gen-1', emit: (e) => void events.push(e) });
    expect(r.ok).toBe(true);
    first = (r as any).value;
    expect(first.frames).toBe(8);
    expect(fs.readdirSync(path.join(work, first.framesDir))).toHaveLength(8);
    const c = JSON.parse(fs.readFileSync(path.join(process.env.MUSEDANCE_PACK_DIRS!, 'manifest.json'), 'utf8')).config;
    expect(latentsOf(first.take.path).length).toBe(8 * c.latentChannels * (c.height / c.vaeDownsample) * (c.width / c.vaeDownsample) * 4);
    expect(first.qa.flickerRatio).toBeNull(); // first segment: no seam
    expect(events).toContain('job.progress');
    expect(events).toContain('generate.preview');
  });

  it('is reproducible: the same seed gives the same latents, another seed different ones', async () => {
    const again = (await studio.registry.dispatch('generate.segment', request())) as any;
    expect(latentsOf(again.value.take.path).equals(latentsOf(first.take.path))).toBe(true);
    const other = (await studio.registry.dispatch('generate.segment', request({ seed: 12 }))) as any;
    expect(latentsOf(other.value.take.path).equals(latentsOf(first.take.path))).toBe(false);
  });

  it('extends: the next segment is conditioned on the previous take (and differs from the stand-in)', async () => {
    const ext = (await studio.registry.dispatch('generate.segment', request({ segmentId: 'seg-2', startFrame: 8, previousTakePath: first.take.path }))) as any;
    expect(ext.ok).toBe(true);
    expect(ext.value.qa.flickerRatio).toBeGreaterThan(0);
    const standIn = (await studio.registry.dispatch('generate.segment', request({ segmentId: 'seg-2', startFrame: 8 }))) as any;
    expect(latentsOf(ext.value.take.path).equals(latentsOf(standIn.value.take.path))).toBe(false);
  });

  it('cancel stops the job and leaves no partial take', async () => {
    const before = fs.readdirSync(path.join(work, 'takes')).sort();
    let steps = 0;
    const pending = studio.registry.dispatch('generate.segment', request({ steps: 50 }), {
      jobId: 'gen-cancel',
      emit: (e, p: any) => {
        if (e === 'generate.preview') {
          steps = p.step;
          if (p.step === 1) studio.registry.cancel('gen-cancel');
        }
      },
    });
    const r = await pending;
    expect(r).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(steps).toBeLessThanOrEqual(2);
    const [, atAbort, after] = (r as any).error.message.match(/step (\d+)\/50; stopped after step (\d+)/).map(Number);
    expect(after - atAbort).toBeLessThanOrEqual(1);
    expect(fs.readdirSync(path.join(work, 'takes')).sort()).toEqual(before);
  });

  it('refuses hostile or broken requests with error values', async () => {
    const outside = await studio.registry.dispatch('generate.segment', request({ referencePath: '../../etc/passwd' }));
    expect(outside).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const missingPrev = await studio.registry.dispatch('generate.segment', request({ previousTakePath: 'takes/nope' }));
    expect(missingPrev).toMatchObject({ ok: false, error: { code: 'INFERENCE_BAD_INPUT' } });
    const notProject = await studio.registry.dispatch('generate.segment', request({ projectDir: os.tmpdir() }));
    expect(notProject).toMatchObject({ ok: false, error: { code: 'INFERENCE_BAD_INPUT' } });
    const noPack = await studio.registry.dispatch('generate.segment', request({ packId: 'no-such-pack' }));
    expect(noPack).toMatchObject({ ok: false, error: { code: 'PACK_NOT_FOUND' } });
    const steps = await studio.registry.dispatch('generate.segment', request({ steps: 100000 }));
    expect(steps).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    fs.writeFileSync(path.join(work, 'media', 'fake.png'), 'not an image');
    const badImage = await studio.registry.dispatch('generate.segment', request({ referencePath: 'media/fake.png' }));
    expect(badImage).toMatchObject({ ok: false, error: { code: 'INFERENCE_BAD_INPUT' } });
  });

  it('generate.export concatenates takes with the music', async () => {
    const out = path.join(work, 'exports', 'song.mp4');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const r = (await studio.registry.dispatch('generate.export', { projectDir: work, takePaths: [first.take.path, first.take.path], songPath: 'media/song.wav', startFrame: 0, fps: 12, out })) as any;
    expect(r.ok).toBe(true);
    expect(r.value.frames).toBe(16);
    const streams = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', out]).toString().trim().split('\n');
    expect(streams.sort()).toEqual(['audio', 'video']);
  });
});
