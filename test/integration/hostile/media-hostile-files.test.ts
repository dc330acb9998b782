/**
 * Issue 25, media: only allowed image formats become reference images (item 8: an SVG called .png is refused),
 * every frame of an export is checked before encoding (item 9), beats give the same truncation verdict as
 * probe and import (item 10), an animated WebP is an image (its first frame) and a PNG with a bad CRC is
 * damaged (item 13).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportVideo, importImage, probeMedia } from '../../../electron/services/media/index';
import { BeatAnalysisService } from '../../../electron/services/audio/beat-analysis-service';
import { bombPng, config, ffmpeg, ffprobeJson, newProject, tempDir, tools, truncateCopy } from '../media/media-fixtures';

const dir = tempDir('hostile');
const f = (name: string) => path.join(dir, name);
const beats = new BeatAnalysisService({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath, cacheDir: f('beat-cache') });

/** A copy of a PNG with one byte of its first IDAT chunk's CRC flipped (the pixels are untouched). */
function badCrcPng(from: string, to: string): void {
  const png = fs.readFileSync(from);
  const idat = png.indexOf('IDAT');
  const length = png.readUInt32BE(idat - 4);
  png[idat + 4 + length] = png[idat + 4 + length]! ^ 0xff;
  fs.writeFileSync(to, png);
}

beforeAll(() => {
  fs.writeFileSync(f('evil.png'), '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><script>alert(1)</script><rect width="64" height="64" fill="red"/></svg>\n');
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=64x48', '-frames:v', '1', f('picture.png'));
  badCrcPng(f('picture.png'), f('bad-crc.png'));
  // Two frames: red, then blue (an animated WebP the studio's ffmpeg cannot decode by itself).
  ffmpeg('-f', 'lavfi', '-i', 'color=c=red:s=64x48:r=5:d=0.4', '-f', 'lavfi', '-i', 'color=c=blue:s=64x48:r=5:d=0.4', '-filter_complex', '[0][1]concat=n=2:v=1,format=yuva420p', '-c:v', 'libwebp_anim', '-loop', '0', f('anim.webp'));
  // Songs: a 6 s mp3 and mp4 cut in half, and a WAV whose header claims 10 hours.
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=330:d=6', '-b:a', '128k', f('song.mp3'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=330:d=6', '-c:a', 'aac', f('song.m4a'));
  truncateCopy(f('song.mp3'), f('cut.mp3'));
  truncateCopy(f('song.m4a'), f('cut.m4a'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=330:d=2', '-c:a', 'pcm_s16le', f('short.wav'));
  const wav = fs.readFileSync(f('short.wav'));
  const data = wav.indexOf('data');
  wav.writeUInt32LE(10 * 3600 * 44100 * 2, data + 4);
  wav.writeUInt32LE(36 + 10 * 3600 * 44100 * 2, 4);
  fs.writeFileSync(f('ten-hours.wav'), wav);
});

describe('reference images come only in allowed formats (items 8, 13)', () => {
  it('an SVG with a script, named .png, is refused by probe and import and nothing enters the project', async () => {
    await expect(probeMedia(f('evil.png'), { ...tools, require: 'image' })).rejects.toMatchObject({ code: 'MEDIA_NOT_MEDIA' });
    const project = newProject(f('svg-project'));
    await expect(importImage(tools, { projectDir: project, path: f('evil.png'), width: 64, height: 64 })).rejects.toMatchObject({ code: 'MEDIA_NOT_MEDIA' });
    expect(fs.readdirSync(path.join(project, 'media'))).toEqual([]);
  });

  it('a PNG whose IDAT checksum is wrong is damaged, although ffmpeg decodes its pixels', async () => {
    execFileSync(config.ffmpegPath, ['-v', 'error', '-i', f('bad-crc.png'), '-f', 'null', '-']);
    await expect(probeMedia(f('bad-crc.png'), { ...tools, require: 'image' })).rejects.toMatchObject({ code: 'MEDIA_CORRUPT', message: expect.stringMatching(/IDAT.*checksum/) });
  });

  it('an animated WebP is an image; its reference image is the first frame', async () => {
    const p = await probeMedia(f('anim.webp'), { ...tools, require: 'image' });
    expect(p).toMatchObject({ kind: 'image', width: 64, height: 48, codec: 'webp' });
    const project = newProject(f('webp-project'));
    const r = await importImage(tools, { projectDir: project, path: f('anim.webp'), width: 32, height: 24 });
    const rgb = execFileSync(config.ffmpegPath, ['-v', 'error', '-i', path.join(project, r.prepared.path), '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
    expect(rgb.length).toBe(32 * 24 * 3);
    const mean = [0, 1, 2].map((c) => rgb.filter((_, i) => i % 3 === c).reduce((a, v) => a + v, 0) / (32 * 24));
    // Red, the first frame (blue is the second).
    expect(mean[0]).toBeGreaterThan(200);
    expect(mean[2]).toBeLessThan(60);
  });
});

describe('every frame of an export is checked before encoding (item 9)', () => {
  const framesWith = (label: string, damage: (frame: string) => void) => {
    const frames = f(`frames-${label}`);
    fs.mkdirSync(frames, { recursive: true });
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=64x64:r=12', '-frames:v', '12', '-start_number', '1', path.join(frames, '%06d.png'));
    damage(path.join(frames, '000007.png'));
    return frames;
  };
  const cases: Array<[string, (frame: string) => void, string, RegExp]> = [
    ['empty', (p) => fs.writeFileSync(p, ''), 'MEDIA_CORRUPT', /000007\.png is empty/],
    ['truncated', (p) => truncateCopy(p, p, 0.7), 'MEDIA_TRUNCATED', /000007\.png is truncated/],
    ['svg', (p) => fs.copyFileSync(f('evil.png'), p), 'MEDIA_CORRUPT', /000007\.png is not a PNG/],
    ['bomb', (p) => bombPng(p, 20_000, 20_000), 'MEDIA_IMAGE_TOO_LARGE', /000007\.png/],
    ['other-size', (p) => ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=80x64', '-frames:v', '1', p), 'MEDIA_CORRUPT', /000007\.png is 80x64/],
    ['bad-crc', (p) => badCrcPng(p, p), 'MEDIA_CORRUPT', /000007\.png is damaged/],
  ];
  for (const [label, damage, code, message] of cases) {
    it(`a frame that is ${label} fails the export and leaves no output`, async () => {
      const frames = framesWith(label, damage);
      const out = f(`export-${label}.mp4`);
      await expect(exportVideo(tools, { framesDir: frames, fps: 12, format: 'mp4', out })).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
      expect(fs.existsSync(out)).toBe(false);
    });
  }

  it('whole frames still export, all of them', async () => {
    const frames = framesWith('whole', () => {});
    const out = f('export-whole.mp4');
    const r = await exportVideo(tools, { framesDir: frames, fps: 12, format: 'mp4', out });
    expect(r.frames).toBe(12);
    expect(Number(ffprobeJson(out, '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames').streams[0].nb_read_frames)).toBe(12);
  });
});

describe('beats share the truncation verdict of probe and import (item 10)', () => {
  for (const name of ['cut.mp3', 'cut.m4a', 'ten-hours.wav']) {
    it(`${name}: probe and beats both say truncated`, async () => {
      await expect(probeMedia(f(name), { ...tools, require: 'audio' })).rejects.toMatchObject({ code: 'MEDIA_TRUNCATED' });
      await expect(beats.analyse(f(name), { refresh: true })).rejects.toMatchObject({ code: 'MEDIA_TRUNCATED' });
    });
  }
  it('the whole songs still analyse', async () => {
    for (const name of ['song.mp3', 'song.m4a', 'short.wav']) expect((await beats.analyse(f(name))).durationSec).toBeGreaterThan(1.9);
  });
});
