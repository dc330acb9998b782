/**
 * The one analysis path (`beat-pipeline.ts`) on real ffmpeg: the DP tracker, the net tracker's failure modes
 * (named -> a clear error; by default -> DP with a note, never silent), and the CLI's --tracker option.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseAudioFile, BEATS_NET_UNAVAILABLE, resolveTracker } from '../../../electron/services/audio/beat-pipeline';
import { StudioError } from '../../../electron/shared/result';
import { beatFMeasure } from '../../fixtures/beats-eval/beat-metrics';

let dir: string;
let song: string;
const truth = Array.from({ length: 24 }, (_, i) => 0.5 + i * 0.5);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-beat-pipeline-'));
  song = path.join(dir, 'clicks.wav');
  // 120 BPM clicks (short 1 kHz bursts) for 12.5 s.
  const expr = `if(lt(mod(t-0.5\\,0.5)\\,0.03)*gte(t\\,0.5)\\,sin(2*PI*1000*t)*0.8\\,0)`;
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', `aevalsrc=${expr}:s=22050:d=12.5`, '-ac', '1', song]);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const failingLoader = async () => {
  throw new StudioError(BEATS_NET_UNAVAILABLE, 'The beat network cannot run: no model at /nowhere/beat_net.onnx.');
};

describe('beat pipeline', () => {
  it('dp: beats of a click track, no bars, no note', async () => {
    const r = await analyseAudioFile(song, { ffmpegPath: 'ffmpeg', tracker: 'dp' });
    expect(r.tracker).toBe('dp');
    expect(r.note).toBeUndefined();
    expect(r.track.beatInBar).toBeUndefined();
    expect(beatFMeasure(truth, r.track.beatTimesSec)).toBeGreaterThan(0.9);
  });

  it('net named explicitly but unavailable: a clear error, no silent fallback', async () => {
    await expect(analyseAudioFile(song, { ffmpegPath: 'ffmpeg', tracker: 'net', loadBeatNet: failingLoader })).rejects.toMatchObject({ code: BEATS_NET_UNAVAILABLE, message: expect.stringContaining('no model at') });
    await expect(analyseAudioFile(song, { ffmpegPath: 'ffmpeg', tracker: 'net' })).rejects.toMatchObject({ code: BEATS_NET_UNAVAILABLE });
  });

  it('net as the default but unavailable: DP beats with a note saying why', async () => {
    const resolved = await resolveTracker(undefined, failingLoader, 'net');
    expect(resolved.runner).toBeNull();
    expect(resolved.note).toMatch(/no model at .*Used the DP beat tracker instead/);
    const r = await analyseAudioFile(song, { ffmpegPath: 'ffmpeg', resolved });
    expect(r.tracker).toBe('dp');
    expect(r.note).toBe(resolved.note);
    expect(beatFMeasure(truth, r.track.beatTimesSec)).toBeGreaterThan(0.9);
  });

  it('a network that fails while running: named -> error; default -> DP with a note', async () => {
    const broken = async () => ({
      id: 'broken',
      start: () => ({
        onMelFrame: () => {},
        finish: async () => {
          throw new Error('input dimension mismatch');
        },
      }),
    });
    await expect(analyseAudioFile(song, { ffmpegPath: 'ffmpeg', tracker: 'net', loadBeatNet: broken })).rejects.toMatchObject({ code: BEATS_NET_UNAVAILABLE, message: expect.stringContaining('input dimension mismatch') });
    const r = await analyseAudioFile(song, { ffmpegPath: 'ffmpeg', resolved: await resolveTracker(undefined, broken, 'net') });
    expect(r.tracker).toBe('dp');
    expect(r.note).toContain('input dimension mismatch');
  });
});
