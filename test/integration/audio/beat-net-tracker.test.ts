/**
 * The net tracker through the analysis service with the shipped model (assets/models/beat-net): beats and bars
 * on a generated pop clip, consistent bar numbering, results cached per tracker, the DP tracker still selectable,
 * and a broken model folder reported clearly.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeatAnalysisService } from '../../../electron/services/audio/beat-analysis-service';
import { beatNetLoader } from '../../../electron/services/audio/beat-net-loader';
import { beatFMeasure } from '../../fixtures/beats-eval/beat-metrics';
import { ensureEvalSet, type EvalClip } from '../../fixtures/beats-eval/generate';

let dir: string;
let clip: EvalClip;
const loadBeatNet = beatNetLoader();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-beat-net-tracker-'));
  clip = (await ensureEvalSet({ only: ['pop-120'] }))[0]!;
}, 300_000);
afterAll(async () => {
  await (await loadBeatNet().catch(() => null))?.stop?.();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('net tracker in the analysis service', () => {
  it('finds the beats and numbers the bars of a pop clip; DP stays selectable; each is cached apart', async () => {
    const service = new BeatAnalysisService({ ffmpegPath: 'ffmpeg', cacheDir: path.join(dir, 'cache'), loadBeatNet });
    const net = await service.analyse(clip.file, { tracker: 'net' });
    expect(net.tracker).toBe('net');
    expect(net.trackerNote).toBeUndefined();
    expect(beatFMeasure(clip.beatTimesSec, net.beatTimesSec)).toBeGreaterThan(0.8);
    const bars = net.bars!;
    expect(bars.beatsPerBar).toBeGreaterThanOrEqual(2);
    expect(bars.beatInBar).toHaveLength(net.beatTimesSec.length);
    // Positions cycle 1..beatsPerBar and the bar number goes up by one at each downbeat.
    for (let i = 1; i < bars.beatInBar.length; i++) {
      const prev = bars.beatInBar[i - 1]!;
      const cur = bars.beatInBar[i]!;
      if (cur === 1) expect(bars.barOfBeat[i]).toBe(bars.barOfBeat[i - 1]! + 1);
      else expect(bars.barOfBeat[i]).toBe(bars.barOfBeat[i - 1]);
      if (cur !== 1) expect(cur).toBe(prev + 1);
    }
    const progress: string[] = [];
    const again = await service.analyse(clip.file, { tracker: 'net', onProgress: (_f, m) => progress.push(m) });
    expect(progress).toContain('Loaded from cache');
    expect(again.beatTimesSec).toEqual(net.beatTimesSec);
    const dp = await service.analyse(clip.file, { tracker: 'dp' });
    expect(dp.tracker).toBe('dp');
    expect(dp.bars ?? null).toBeNull();
  });

  it('a model folder without a model: named -> BEAT_NET_MISSING with the path; DP still runs', async () => {
    const empty = path.join(dir, 'no-model');
    fs.mkdirSync(empty);
    const service = new BeatAnalysisService({ ffmpegPath: 'ffmpeg', cacheDir: path.join(dir, 'cache2'), loadBeatNet: beatNetLoader(empty) });
    await expect(service.analyse(clip.file, { tracker: 'net' })).rejects.toMatchObject({ code: 'BEAT_NET_MISSING', message: expect.stringContaining(empty) });
    const dp = await service.analyse(clip.file, { tracker: 'dp' });
    expect(dp.trackerNote).toBeUndefined();
  });
});
