import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importClip, importImage, importSong } from '../../../electron/services/media/index';
import { decodeMono, ffmpeg, ffprobeJson, newProject, rms, tempDir, tools } from './media-fixtures';

const dir = tempDir('import');
const f = (name: string) => path.join(dir, name);
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

beforeAll(() => {
  // Odd but valid songs.
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=330:d=1.5', '-af', 'pan=5.1|FL=c0|FR=c0|FC=c0|LFE=c0|BL=c0|BR=c0', '-c:a', 'flac', f('surround-5.1.flac'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=440:d=1.5', '-ar', '8000', '-c:a', 'pcm_u8', f('telephone-8k-u8.wav'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=440:d=1.5:sample_rate=96000', '-ac', '2', '-c:a', 'pcm_s24le', f('studio-96k-24bit.wav'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=440:d=1.5', '-c:a', 'libmp3lame', f('ダンス ♪ música.mp3'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=440:d=0.1', '-c:a', 'libvorbis', f('blip-0.1s.ogg'));
  // Images: PNG with transparency, JPEG, WebP.
  ffmpeg('-f', 'lavfi', '-i', 'color=c=red@0.0:s=300x200,format=rgba', '-frames:v', '1', f('transparent.png'));
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=320x240', '-frames:v', '1', f('photo.jpg'));
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=240x320', '-frames:v', '1', f('portrait.webp'));
  // A phone photo: stored landscape (left red, right blue) with EXIF orientation 6 (show rotated 90° clockwise).
  ffmpeg('-f', 'lavfi', '-i', 'color=c=red:s=160x240', '-f', 'lavfi', '-i', 'color=c=blue:s=160x240', '-filter_complex', '[0][1]hstack', '-frames:v', '1', '-q:v', '2', f('stored.jpg'));
  fs.writeFileSync(f('phone-portrait.jpg'), withExifOrientation(fs.readFileSync(f('stored.jpg')), 6));
  // A training clip: 2 s at 25 fps with sound.
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=s=160x120:r=25:d=2', '-f', 'lavfi', '-i', 'sine=d=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', f('dance-clip.mp4'));
});

describe('song import', () => {
  const songs: [string, number][] = [
    ['surround-5.1.flac', 1.5],
    ['telephone-8k-u8.wav', 1.5],
    ['studio-96k-24bit.wav', 1.5],
    ['ダンス ♪ música.mp3', 1.5],
    ['blip-0.1s.ogg', 0.1],
  ];
  const project = newProject(tempDir('songs'));
  for (const [name, durationSec] of songs) {
    it(`${name}: content-hash copy + 16 kHz mono and 44.1 kHz stereo working copies`, async () => {
      const r = await importSong(tools, { projectDir: project, path: f(name) });
      expect(r.song.sha256).toBe(sha256(f(name)));
      expect(r.song.path).toBe(`media/${r.song.sha256}${path.extname(name)}`);
      expect(r.song.originalName).toBe(name);
      expect(sha256(path.join(project, r.song.path))).toBe(r.song.sha256);

      const mono = ffprobeJson(path.join(project, r.mono16kPath), '-show_streams').streams[0];
      expect(mono).toMatchObject({ codec_name: 'pcm_s16le', sample_rate: '16000', channels: 1 });
      const stereo = ffprobeJson(path.join(project, r.stereo44kPath), '-show_streams').streams[0];
      expect(stereo).toMatchObject({ codec_name: 'pcm_s16le', sample_rate: '44100', channels: 2 });
      // Same length as the song (mp3/vorbis padding allowed) and real sound, not silence.
      const pcm = decodeMono(path.join(project, r.mono16kPath), 16000);
      expect(Math.abs(pcm.length / 16000 - durationSec)).toBeLessThan(0.06);
      expect(rms(pcm)).toBeGreaterThan(0.05);
    });
  }

  it('stores the same song once', async () => {
    const a = await importSong(tools, { projectDir: project, path: f('telephone-8k-u8.wav') });
    fs.copyFileSync(f('telephone-8k-u8.wav'), f('copy.wav'));
    const b = await importSong(tools, { projectDir: project, path: f('copy.wav') });
    expect(b.song.path).toBe(a.song.path);
    expect(b.song.originalName).toBe('copy.wav');
  });

  it('refuses a folder that is not a project', async () => {
    await expect(importSong(tools, { projectDir: dir, path: f('blip-0.1s.ogg') })).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
  });

  it('cancel leaves nothing behind', async () => {
    const cancelProject = newProject(tempDir('cancel-song'));
    const controller = new AbortController();
    const job = importSong(tools, {
      projectDir: cancelProject,
      path: f('studio-96k-24bit.wav'),
      signal: controller.signal,
      onProgress: (_fraction, message) => {
        if (message.startsWith('Copying')) controller.abort();
      },
    });
    await expect(job).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(fs.readdirSync(path.join(cancelProject, 'media'))).toEqual([]);
  });
});

describe('image import', () => {
  const project = newProject(tempDir('images'));

  it('default crop is the centred box with the target aspect; transparency is flattened onto white', async () => {
    const r = await importImage(tools, { projectDir: project, path: f('transparent.png'), width: 128, height: 128 });
    expect(r.crop).toEqual({ x: 50, y: 0, width: 200, height: 200 });
    expect(r.original.sha256).toBe(sha256(f('transparent.png')));
    const prepared = path.join(project, r.prepared.path);
    expect(sha256(prepared)).toBe(r.prepared.sha256);
    expect(ffprobeJson(prepared, '-show_streams').streams[0]).toMatchObject({ codec_name: 'png', width: 128, height: 128, pix_fmt: 'rgb24' });
    const rgb = decodeRgb(prepared);
    expect(rgb.reduce((m, v) => Math.min(m, v), 255)).toBeGreaterThan(250); // fully transparent red -> white
  });

  it('a user crop box picks that region (JPEG)', async () => {
    // testsrc2's left edge is a colour bar; cropping 0..64 must give different pixels than cropping the centre.
    const left = await importImage(tools, { projectDir: project, path: f('photo.jpg'), crop: { x: 0, y: 0, width: 64, height: 64 }, width: 64, height: 64 });
    const centre = await importImage(tools, { projectDir: project, path: f('photo.jpg'), width: 64, height: 64 });
    expect(left.original.path).toBe(centre.original.path);
    expect(left.prepared.sha256).not.toBe(centre.prepared.sha256);
    expect(centre.crop).toEqual({ x: 40, y: 0, width: 240, height: 240 });
  });

  it('WebP portrait resized to a landscape target', async () => {
    const r = await importImage(tools, { projectDir: project, path: f('portrait.webp'), width: 96, height: 64 });
    expect(r.crop).toEqual({ x: 0, y: 80, width: 240, height: 160 });
    expect(ffprobeJson(path.join(project, r.prepared.path), '-show_streams').streams[0]).toMatchObject({ width: 96, height: 64 });
  });

  it('a phone photo with EXIF orientation 6 is turned upright before cropping', async () => {
    const r = await importImage(tools, { projectDir: project, path: f('phone-portrait.jpg'), width: 64, height: 64 });
    expect([r.probe.width, r.probe.height]).toEqual([240, 320]);
    expect(r.crop).toEqual({ x: 0, y: 40, width: 240, height: 240 });
    const rgb = decodeRgb(path.join(project, r.prepared.path));
    const pixel = (x: number, y: number) => Array.from(rgb.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3));
    // Upright, the red half is on top and the blue half below (stored, they were side by side).
    expect(pixel(5, 5)[0]).toBeGreaterThan(200);
    expect(pixel(5, 58)[2]).toBeGreaterThan(200);
    expect(pixel(5, 58)[0]).toBeLessThan(60);
  });

  it('a crop box outside the image is refused', async () => {
    await expect(importImage(tools, { projectDir: project, path: f('photo.jpg'), crop: { x: 300, y: 0, width: 64, height: 64 }, width: 64, height: 64 })).rejects.toMatchObject({
      code: 'MEDIA_BAD_CROP',
      message: expect.stringMatching(/does not fit inside the 320x240 image/),
    });
  });

  it('a song is not an image', async () => {
    await expect(importImage(tools, { projectDir: project, path: f('blip-0.1s.ogg'), width: 64, height: 64 })).rejects.toMatchObject({ code: 'MEDIA_NOT_IMAGE' });
  });
});

describe('training clip import', () => {
  it('frames at the pack fps and resolution plus 16 kHz mono audio', async () => {
    const out = path.join(tempDir('clip'), 'clip-1');
    const progress: number[] = [];
    const r = await importClip(tools, { path: f('dance-clip.mp4'), outDir: out, fps: 12, width: 64, height: 64, onProgress: (p) => p !== null && progress.push(p) });
    expect(r.frameCount).toBe(24);
    expect(fs.readdirSync(r.framesDir).sort()[0]).toBe('000001.png');
    expect(ffprobeJson(path.join(r.framesDir, '000024.png'), '-show_streams').streams[0]).toMatchObject({ width: 64, height: 64 });
    expect(ffprobeJson(r.audioPath!, '-show_streams').streams[0]).toMatchObject({ sample_rate: '16000', channels: 1 });
    expect(progress.at(-1)).toBe(1);
  });

  it('refuses a clip without video', async () => {
    await expect(importClip(tools, { path: f('telephone-8k-u8.wav'), outDir: path.join(dir, 'nope'), fps: 12, width: 64, height: 64 })).rejects.toMatchObject({
      code: 'MEDIA_NO_VIDEO_STREAM',
    });
    expect(fs.existsSync(path.join(dir, 'nope'))).toBe(false);
  });
});

function decodeRgb(file: string): Uint8Array {
  return execFileSync(tools.ffmpegPath, ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
}

/** Inserts an APP1 Exif segment holding only the orientation tag right after the JPEG's SOI marker. */
function withExifOrientation(jpeg: Buffer, orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4); // first IFD right after the header
  tiff.writeUInt16LE(1, 8); // one entry
  tiff.writeUInt16LE(0x0112, 10); // Orientation
  tiff.writeUInt16LE(3, 12); // SHORT
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt16LE(orientation, 18);
  tiff.writeUInt32LE(0, 22); // no next IFD
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, body, jpeg.subarray(2)]);
}
