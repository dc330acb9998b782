/**
 * Export dialog options on the real ffmpeg (issue 23): 4x upscale with a 9:16 crop or letterbox, trimmed to
 * the song's end, settings (with the dialog's choices) embedded and read back. ffprobe checks size, frame
 * count, duration and the audio stream.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportVideo, readSettings } from '../../../electron/services/media/index';
import type { GenerationSettings } from '../../../electron/shared/domain/media';
import { clickSong, ffprobeJson, flashFrames, tempDir, tools } from './media-fixtures';

const dir = tempDir('export-options');
const f = (name: string) => path.join(dir, name);
const FPS = 12;
const FRAMES = 48; // one 4 s segment
const SONG_SEC = 3.3; // the song ends 0.7 s before the frames do

const settings: GenerationSettings = {
  packId: 'musedance-tiny',
  beatsHash: 'b'.repeat(64),
  fps: FPS,
  segments: [{ startFrame: 0, frames: FRAMES, prompt: 'spin', seed: 3, steps: 8, guidance: 3.5 }],
  export: { upscale: 4, aspect: '9:16', fit: 'crop', interpolateFps: null, trimToSong: true, range: 'song', format: 'mp4' },
};

beforeAll(() => {
  flashFrames(f('frames'), { count: FRAMES, fps: FPS, flashFrame: 5 });
  clickSong(f('song.wav'), { durationSec: SONG_SEC, clickSec: 1 });
});

describe('export options', () => {
  it('4x, 9:16 crop, trimmed to the song: size, frames, duration, audio and settings', async () => {
    const r = await exportVideo(tools, { framesDir: f('frames'), fps: FPS, format: 'mp4', out: f('crop.mp4'), audio: { path: f('song.wav'), startSec: 0 }, upscale: 4, aspect: '9:16', fit: 'crop', maxDurationSec: SONG_SEC, settings });
    expect(r).toMatchObject({ width: 144, height: 256, frames: 40, hasAudio: true, settingsStored: true });
    const { streams, format } = ffprobeJson(r.out, '-count_frames', '-show_streams', '-show_format');
    const video = streams.find((s: { codec_type: string }) => s.codec_type === 'video');
    const audio = streams.find((s: { codec_type: string }) => s.codec_type === 'audio');
    expect(video).toMatchObject({ width: 144, height: 256, nb_read_frames: '40' });
    expect(audio).toBeDefined();
    expect(Math.abs(Number(format.duration) - SONG_SEC)).toBeLessThanOrEqual(1 / FPS);
    expect(await readSettings(tools.ffprobePath, r.out)).toEqual(settings);
  });

  it('letterbox keeps the whole picture and adds black bars', async () => {
    const r = await exportVideo(tools, { framesDir: f('frames'), fps: FPS, format: 'mp4', out: f('box.mp4'), upscale: 2, aspect: '16:9', fit: 'letterbox' });
    const video = ffprobeJson(r.out, '-show_streams').streams[0];
    expect(video).toMatchObject({ width: 228, height: 128 });
    expect(r.frames).toBe(FRAMES);
    expect(fs.existsSync(r.out)).toBe(true);
  });
});
