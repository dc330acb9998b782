import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeMedia } from '../../../electron/services/media/index';
import { runCli } from '../../../electron/cli/main';
import { bombPng, ffmpeg, tempDir, tools, truncateCopy } from './media-fixtures';

const dir = tempDir('probe');
const f = (name: string) => path.join(dir, name);

beforeAll(() => {
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=440:d=3', '-c:a', 'pcm_s16le', f('tone.wav'));
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=440:d=6', f('tone.flac'));
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=s=160x120:r=25:d=3', '-f', 'lavfi', '-i', 'sine=d=3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', '-shortest', f('clip.mp4'));
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=s=160x120:r=25:d=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', f('silent.mp4'));
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=200x100', '-frames:v', '1', f('picture.png'));
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=200x100', '-frames:v', '1', f('picture.jpg'));
  ffmpeg('-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono', '-t', '0', '-c:a', 'pcm_s16le', f('no-samples.wav'));
  fs.writeFileSync(f('notes.txt'), 'these are not the droids you are looking for\n');
  fs.writeFileSync(f('zero.mp3'), '');
  truncateCopy(f('tone.wav'), f('cut.wav'));
  truncateCopy(f('tone.flac'), f('cut.flac'));
  truncateCopy(f('clip.mp4'), f('cut.mp4'));
  truncateCopy(f('picture.png'), f('cut.png'), 0.6);
  // A WAV whose format tag (0x1234) no decoder knows.
  const wav = fs.readFileSync(f('tone.wav'));
  wav.writeUInt16LE(0x1234, wav.indexOf('fmt ') + 8);
  fs.writeFileSync(f('alien-codec.wav'), wav);
  bombPng(f('bomb.png'), 20_000, 20_000);
  // A JPEG whose frame header claims 30000 x 30000 (the data is that of a 200x100 picture).
  const jpg = fs.readFileSync(f('picture.jpg'));
  const sof = jpg.indexOf(Buffer.from([0xff, 0xc0]));
  jpg.writeUInt16BE(30_000, sof + 5);
  jpg.writeUInt16BE(30_000, sof + 7);
  fs.writeFileSync(f('huge.jpg'), jpg);
  fs.copyFileSync(f('tone.wav'), f('-starts-with-dash.wav'));
});

const probe = (name: string, require?: 'any' | 'image' | 'audio' | 'video') => probeMedia(f(name), { ...tools, require });

describe('probe reports what a file is', () => {
  it('audio: duration, sample rate, channels, codec', async () => {
    const p = await probe('tone.wav', 'audio');
    expect(p).toMatchObject({ kind: 'audio', codec: 'pcm_s16le', sampleRate: 44100, channels: 1, hasAudio: true });
    expect(p.durationSec).toBeCloseTo(3, 2);
  });
  it('video with sound: dimensions, frame rate, both streams', async () => {
    const p = await probe('clip.mp4');
    expect(p).toMatchObject({ kind: 'video', codec: 'h264', width: 160, height: 120, audioCodec: 'aac', hasAudio: true });
    expect(p.streams.find((s) => s.type === 'video')!.fps).toBeCloseTo(25, 3);
    expect(p.durationSec).toBeGreaterThan(2.9);
  });
  it('images: PNG and JPEG with their dimensions, no duration', async () => {
    expect(await probe('picture.png', 'image')).toMatchObject({ kind: 'image', codec: 'png', width: 200, height: 100, durationSec: null });
    expect(await probe('picture.jpg', 'image')).toMatchObject({ kind: 'image', codec: 'mjpeg', width: 200, height: 100 });
  });
});

describe('probe rejects unusable files with a specific code and message', () => {
  const cases: [string, string, RegExp, ('audio' | 'image' | 'video')?][] = [
    ['missing.wav', 'MEDIA_NOT_FOUND', /missing\.wav does not exist/],
    ['zero.mp3', 'MEDIA_EMPTY', /zero\.mp3 is empty \(0 bytes\)/],
    ['no-samples.wav', 'MEDIA_EMPTY', /no-samples\.wav contains no audio \(zero length\)/],
    ['notes.txt', 'MEDIA_NOT_MEDIA', /notes\.txt is not a media file ffmpeg can read/],
    ['picture.png', 'MEDIA_NO_AUDIO_STREAM', /picture\.png has no audio stream/, 'audio'],
    ['silent.mp4', 'MEDIA_NO_AUDIO_STREAM', /silent\.mp4 has no audio stream/, 'audio'],
    ['tone.wav', 'MEDIA_NOT_IMAGE', /tone\.wav is an audio file, not an image/, 'image'],
    ['cut.wav', 'MEDIA_TRUNCATED', /cut\.wav is truncated: the WAV header announces more audio/],
    ['cut.flac', 'MEDIA_TRUNCATED', /cut\.flac is truncated: it announces 6\.00 s but its audio stops at/],
    ['cut.mp4', 'MEDIA_TRUNCATED', /cut\.mp4 is truncated/],
    ['cut.png', 'MEDIA_TRUNCATED', /cut\.png is truncated/, 'image'],
    ['alien-codec.wav', 'MEDIA_UNSUPPORTED_CODEC', /alien-codec\.wav uses an audio codec ffmpeg cannot decode \(format tag 0x1234\)/],
    ['bomb.png', 'MEDIA_IMAGE_TOO_LARGE', /bomb\.png is 20000x20000 pixels; the studio accepts at most/],
    ['huge.jpg', 'MEDIA_IMAGE_TOO_LARGE', /huge\.jpg is 30000x30000 pixels/],
  ];
  for (const [name, code, message, require] of cases) {
    it(`${name}${require ? ` (needs ${require})` : ''} -> ${code}`, async () => {
      await expect(probe(name, require)).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    });
  }

  it('rejects a decompression bomb from its header, before any decoding', async () => {
    // 400 megapixels would take ffmpeg seconds and hundreds of MB to decode; the header check takes milliseconds.
    const started = performance.now();
    await expect(probe('bomb.png')).rejects.toMatchObject({ code: 'MEDIA_IMAGE_TOO_LARGE' });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(fs.statSync(f('bomb.png')).size).toBeLessThan(1_000_000);
  });
});

describe('probe from the CLI', () => {
  const run = async (argv: string[]) => {
    let out = '';
    let err = '';
    const previous = process.env.INIT_CWD;
    process.env.INIT_CWD = dir;
    try {
      const code = await runCli(argv, { out: (s) => ((out += s), true), err: (s) => ((err += s), true) });
      return { code, out, err };
    } finally {
      if (previous === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = previous;
    }
  };

  it('takes a file name that starts with "-" and prints one JSON object', async () => {
    const r = await run(['probe', '-starts-with-dash.wav', '--json']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ kind: 'audio', path: f('-starts-with-dash.wav') });
  });

  it('fails with exit 1, one line and the error code', async () => {
    const r = await run(['probe', 'cut.wav', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, error: { code: 'MEDIA_TRUNCATED' } });
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('works as a real process through the CLI entry point', async () => {
    const tsx = path.resolve('node_modules/.bin/tsx');
    const { stdout } = await promisify(execFile)(tsx, [path.resolve('electron/cli/main.ts'), 'probe', '-starts-with-dash.wav', '--require', 'audio', '--json'], {
      cwd: dir,
      env: { ...process.env, INIT_CWD: '' },
    });
    expect(JSON.parse(stdout)).toMatchObject({ kind: 'audio', sampleRate: 44100 });
  });
});
