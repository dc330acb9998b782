import { describe, expect, it } from 'vitest';
import { windowId, windowPlacements } from '../../../electron/services/training/dataset/dataset-files';
import { parseWorkerLine } from '../../../electron/services/training/worker-protocol';
import { BUILTIN_GEOMETRY, minClipSec, RunSpec } from '../../../electron/shared/domain/training';

describe('dataset windows', () => {
  const g = BUILTIN_GEOMETRY.tiny;
  it('cuts K+M-frame windows with a stride of K, so each window has the M frames before it', () => {
    expect(windowPlacements(49, g)).toEqual({ windows: [], droppedFrames: 49 });
    expect(windowPlacements(50, g)).toEqual({ windows: [{ index: 0, startFrame: 0, numFrames: 50 }], droppedFrames: 0 });
    const { windows, droppedFrames } = windowPlacements(150, g);
    expect(windows.map((w) => w.startFrame)).toEqual([0, 48, 96]);
    expect(droppedFrames).toBe(4);
    expect(minClipSec(g)).toBeCloseTo(50 / 12);
    expect(windowId('clip-a', 7)).toBe('clip-a_w007');
  });
});

describe('worker protocol', () => {
  it('parses events, tolerates extra fields and reports garbage without throwing', () => {
    const loss = parseWorkerLine('{"type":"loss","seq":3,"timeMs":1,"id":"c1","runId":"r","stage":1,"step":2,"loss":0.5,"lr":0.0001,"extra":true}');
    expect('event' in loss && loss.event.type === 'loss' && loss.event.step).toBe(2);
    expect(parseWorkerLine('Traceback (most recent call last):')).toMatchObject({ problem: expect.stringMatching(/not JSON/) });
    expect(parseWorkerLine('{"type":"loss","seq":3,"timeMs":1}')).toMatchObject({ problem: expect.stringMatching(/unexpected loss event/) });
  });
});

describe('run spec', () => {
  it('fills defaults and refuses unknown or out-of-range fields', () => {
    const spec = RunSpec.parse({ name: 'a', datasetDir: '/d', stages: [{ stage: 1, steps: 10 }] });
    expect(spec).toMatchObject({ config: 'tiny', learningRate: 1e-5, batchSize: 1, modules: 'stage-default', basePack: null, sample: null });
    expect(RunSpec.safeParse({ name: 'a', datasetDir: '/d', stages: [{ stage: 3, steps: 10 }] }).success).toBe(false);
    expect(RunSpec.safeParse({ name: 'a', datasetDir: '/d', stages: [], learningRate: 1 }).success).toBe(false);
    expect(RunSpec.safeParse({ name: 'a', datasetDir: '/d', stages: [{ stage: 1, steps: 1 }], typo: 1 }).success).toBe(false);
  });
});
