/**
 * Dataset preparation on real clips made by ffmpeg: the DATASET.md layout (frames at the model's fps and size,
 * 16 kHz mono audio per window, beats, caption, meta), the validation messages, edits and bulk captions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetService } from '../../../electron/services/training/dataset/dataset-service';
import { readWavPcm16 } from '../../../electron/services/training/dataset/wav16';
import { loadConfig } from '../../../electron/services/config';
import { makeClip } from './clip-fixtures';

const config = loadConfig();
let work: string;
let clips: Record<string, string>;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-dataset-'));
  clips = {
    dance: makeClip(work, { name: 'dance.mp4', seconds: 9, beatSec: 0.5 }),
    twin: '',
    silent: makeClip(work, { name: 'silent.mp4', seconds: 5, beatSec: null }),
    still: makeClip(work, { name: 'still.mp4', seconds: 5, video: 'still' }),
    short: makeClip(work, { name: 'short.mp4', seconds: 2 }),
  };
  clips.twin = path.join(work, 'dance-copy.mp4');
  fs.copyFileSync(clips.dance!, clips.twin);
  fs.writeFileSync(path.join(work, 'notes.mp4'), 'this is not a video');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('dataset prepare', () => {
  it('cuts a clip into K+M-frame windows in the DATASET.md layout and rejects bad clips with reasons', async () => {
    const service = new DatasetService({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath });
    const dir = path.join(work, 'ds');
    await service.create(dir, { config: 'tiny' });
    const { dataset, results } = await service.addClips(dir, [clips.dance!, clips.silent!, clips.still!, clips.short!, clips.twin!, path.join(work, 'notes.mp4')], { caption: 'a pattern bounces on the beat' });

    const codes = results.map((r) => r.error?.code ?? 'ok');
    expect(codes).toEqual(['ok', 'DATASET_CLIP_NO_AUDIO', 'DATASET_CLIP_NO_MOTION', 'DATASET_CLIP_TOO_SHORT', 'DATASET_CLIP_DUPLICATE', 'MEDIA_NOT_MEDIA']);
    expect(results[1]!.error!.message).toMatch(/silent\.mp4 has no sound/);
    expect(results[3]!.error!.message).toMatch(/short\.mp4 is 2\.00 s long; the model needs at least 4\.17 s/);
    expect(results[4]!.error!.message).toMatch(/same video as dance\.mp4/);

    // 9 s at 12 fps = 108 frames -> windows [0,50) and [48,98); 10 frames left over.
    const clip = results[0]!.clip!;
    expect(clip.frameCount).toBe(108);
    expect(clip.windows).toHaveLength(2);
    expect(clip.droppedFrames).toBe(10);
    expect(dataset.trainWindows).toBe(2);
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'dataset.json'), 'utf8'));
    expect(index).toMatchObject({ version: 1, fps: 12, width: 64, height: 64, sampleRateHz: 16000, splits: { train: clip.windows, heldout: [] } });

    const w1 = path.join(dir, 'clips', clip.windows[1]!);
    const frames = fs.readdirSync(path.join(w1, 'frames')).sort();
    expect(frames).toHaveLength(50);
    expect(frames[0]).toBe('000000.png');
    const png = fs.readFileSync(path.join(w1, 'frames', frames[0]!));
    expect(png.readUInt32BE(16)).toBe(64); // IHDR width
    expect(png.readUInt32BE(20)).toBe(64);
    const wav = await readWavPcm16(path.join(w1, 'audio.wav'));
    expect(wav).toMatchObject({ sampleRate: 16000, channels: 1 });
    expect(wav.samples.length).toBe(Math.round((50 / 12) * 16000));
    const meta = JSON.parse(fs.readFileSync(path.join(w1, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ numFrames: 50, source: 'user', startSec: 4 });
    expect(fs.readFileSync(path.join(w1, 'caption.txt'), 'utf8').trim()).toBe('a pattern bounces on the beat');

    // Clicks every 0.5 s: the tracker finds ~120 BPM, and window 1's beats are relative to its start (4 s).
    expect(clip.tempoBpm).toBeGreaterThan(110);
    expect(clip.tempoBpm).toBeLessThan(130);
    const beats = JSON.parse(fs.readFileSync(path.join(w1, 'beats.json'), 'utf8'));
    expect(beats.beatTimesSec.length).toBeGreaterThanOrEqual(7);
    for (const t of beats.beatTimesSec) expect(Math.abs(t - Math.round(t * 2) / 2)).toBeLessThan(0.06);
    expect(beats.beatTimesSec).toEqual([...beats.beatTimesSec].sort((a: number, b: number) => a - b));

    // Edits: caption and beats rewrite every window; bulk find & replace.
    await service.updateClip(dir, clip.id, { beatTimesSec: [4.5, 0.5, 1, 4.5] });
    const edited = JSON.parse(fs.readFileSync(path.join(w1, 'beats.json'), 'utf8'));
    expect(edited.beatTimesSec).toEqual([0.5]);
    const bulk = await service.bulkCaption(dir, [clip.id], 'replace', 'jumps', 'bounces');
    expect(bulk.clips[0]!.caption).toBe('a pattern jumps on the beat');
    expect(fs.readFileSync(path.join(dir, 'clips', clip.windows[0]!, 'caption.txt'), 'utf8').trim()).toBe('a pattern jumps on the beat');

    // The native-models loader reads what we wrote.
    const check = `
import json, sys
from musedance_models.data.loader import Dataset
d = Dataset(sys.argv[1], "train", 12.0, 64, 64)
print(json.dumps([len(c.frames) for c in d.clips]))`;
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(config.pythonPath, ['-c', check, dir], { cwd: config.nativeModelsDir, encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual([50, 50]);

    const after = await service.removeClip(dir, clip.id);
    expect(after.trainWindows).toBe(0);
    expect(fs.existsSync(w1)).toBe(false);
  });
});
