/**
 * The beat network as the studio runs it (issue 22): ONNX Runtime in a worker thread on the shipped
 * assets/models/beat-net graph must reproduce PyTorch's activations on the golden vectors (max abs diff <= 1e-4),
 * chunked runs must equal one run over the whole input, and the features must not depend on how the PCM is cut.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BEAT_NET_FEATURES, beatNetFeatures } from '../../../electron/services/audio/beat-net/features';
import { BeatNetRunner, beatNetActivations } from '../../../electron/services/audio/beat-net/inference';
import { loadBeatNetModel } from '../../../electron/services/audio/beat-net/model-files';

const GOLDEN = path.resolve('test/fixtures/beat-net');
const readF32 = (file: string) => {
  const b = fs.readFileSync(path.join(GOLDEN, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

const runners: BeatNetRunner[] = [];
const runner = (chunkFrames?: number) => {
  const r = new BeatNetRunner({ chunkFrames });
  runners.push(r);
  return r;
};
afterAll(async () => {
  for (const r of runners) await r.stop();
});

describe('beat network inference (ONNX Runtime, worker thread)', () => {
  const meta = JSON.parse(fs.readFileSync(path.join(GOLDEN, 'golden.json'), 'utf8')) as { frames: number; melBands: number };
  const mel = readF32('golden-mel.f32');
  const golden = readF32('golden-activations.f32');

  it('matches PyTorch on the golden vectors, in one run and in chunks', async () => {
    expect(mel.length).toBe(meta.frames * meta.melBands);
    const whole = await runner().runOnce(mel, meta.frames);
    expect(maxAbsDiff(whole, golden)).toBeLessThanOrEqual(1e-4);
    const chunked = await runner(128).activations(mel, meta.frames);
    const interleaved = new Float32Array(meta.frames * 2);
    for (let t = 0; t < meta.frames; t++) {
      interleaved[2 * t] = chunked.beat[t]!;
      interleaved[2 * t + 1] = chunked.downbeat[t]!;
    }
    expect(maxAbsDiff(interleaved, golden)).toBeLessThanOrEqual(1e-4);
    expect(chunked.fps).toBeCloseTo(22050 / 512, 6);
  });

  it('runs a long input in chunks with context and gets the whole-run result', async () => {
    // 5 x the golden excerpt, each copy shifted in level, so chunk borders fall on different material.
    const frames = meta.frames * 5;
    const long = new Float32Array(frames * meta.melBands);
    for (let k = 0; k < 5; k++) for (let i = 0; i < mel.length; i++) long[k * mel.length + i] = mel[i]! + 0.1 * (k - 2);
    const r = runner(700);
    const whole = await r.runOnce(long, frames);
    const act = await r.activations(long, frames);
    let m = 0;
    for (let t = 0; t < frames; t++) m = Math.max(m, Math.abs(act.beat[t]! - whole[2 * t]!), Math.abs(act.downbeat[t]! - whole[2 * t + 1]!));
    expect(m).toBeLessThanOrEqual(1e-5);
    expect(r.model.meta.contextFrames).toBeGreaterThan(0);
    expect(r.chunkFrames).toBeLessThan(frames);
  });

  it('gives one activation per onset-envelope frame for PCM, each a probability', async () => {
    const sr = BEAT_NET_FEATURES.sampleRate;
    const pcm = new Float32Array(sr * 3);
    const act = await beatNetActivations(pcm, runner());
    expect(act.beat.length).toBe(act.onsets.onsetEnvelope.length);
    expect(act.beat.length).toBe(Math.floor(pcm.length / BEAT_NET_FEATURES.hopSamples) + 1);
    expect(act.beat.every((v) => v >= 0 && v <= 1) && act.downbeat.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('refuses a model trained on other features', () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'beatnet-meta-'));
    const shipped = JSON.parse(fs.readFileSync(path.resolve('assets/models/beat-net/beat_net.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'beat_net.json'), JSON.stringify({ ...shipped, features: { ...shipped.features, melBands: 128 } }));
    expect(() => loadBeatNetModel(dir)).toThrow(/melBands = 128/);
    expect(() => loadBeatNetModel(path.join(dir, 'nope'))).toThrow(/missing/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('beat network features', () => {
  it('do not depend on how the PCM is cut into chunks, and sit on the floor in silence', () => {
    const sr = BEAT_NET_FEATURES.sampleRate;
    const pcm = new Float32Array(sr * 2);
    for (let i = sr / 2; i < pcm.length; i++) pcm[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / sr) * (i % 11025 < 2000 ? 1 : 0.2);
    const a = beatNetFeatures(pcm, 65_536);
    const b = beatNetFeatures(pcm, 777);
    expect(a.frames).toBe(b.frames);
    expect(maxAbsDiff(a.mel, b.mel)).toBe(0);
    const floor = (BEAT_NET_FEATURES.floorDb - BEAT_NET_FEATURES.offsetDb) / BEAT_NET_FEATURES.scaleDb;
    expect(a.mel[5 * BEAT_NET_FEATURES.melBands]).toBe(floor); // frame 5 (0.12 s) is digital silence
    const loud = a.mel.subarray(40 * BEAT_NET_FEATURES.melBands, 41 * BEAT_NET_FEATURES.melBands); // 0.93 s: the tone
    expect(Math.max(...loud)).toBeGreaterThan(floor + 2);
  });
});
