import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli/main';
import { exportVideo, readSettings } from '../../../electron/services/media/index';
import type { GenerationSettings } from '../../../electron/shared/domain/media';
import { clickSong, decodeMono, ffmpeg, ffprobeJson, flashFrames, tempDir, tools } from './media-fixtures';

const dir = tempDir('export');
const f = (name: string) => path.join(dir, name);

const FPS = 12;
const FRAMES = 36; // 3 s
const FLASH_FRAME = 17; // the beat falls on frame 17 (1.4167 s into the video)
const AUDIO_START_SEC = 1.3; // the frames start 1.3 s into the song
const CLICK_SEC = AUDIO_START_SEC + FLASH_FRAME / FPS;
const HALF_FRAME_SEC = 0.5 / FPS;

const settings: GenerationSettings = {
  packId: 'tiny-pack',
  packVersion: '0.1.0',
  beatsHash: 'a'.repeat(64),
  fps: FPS,
  segments: [
    { startFrame: 0, frames: 24, prompt: 'a dancer spins; arms = up # "quoted" \\ back-slash ; ダンス 💃', seed: 4294967295, steps: 25, guidance: 3.5 },
    { startFrame: 24, frames: 12, prompt: 'line one\nline two', seed: 7 },
  ],
  createdAt: '2026-11-27T21:00:00.000Z',
};

beforeAll(() => {
  flashFrames(f('flash'), { count: FRAMES, fps: FPS, flashFrame: FLASH_FRAME });
  // The song ends 0.3 s before the frames do: the export pads with silence instead of shortening the video.
  clickSong(f('song.wav'), { durationSec: 4, clickSec: CLICK_SEC });
});

/**
 * Time of the first video frame brighter than mid-grey and of the first frame, from the decoded file's own
 * timestamps (WebM shifts every stream by the Opus pre-skip, so absolute times start a few ms after 0).
 */
function flashTimeSec(file: string): { flash: number; first: number } {
  const stats = f(`yavg-${path.basename(file)}.txt`);
  ffmpeg('-copyts', '-i', file, '-map', '0:v:0', '-vf', `signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file='${stats}'`, '-f', 'null', '-');
  let pts = NaN;
  let first = NaN;
  for (const line of fs.readFileSync(stats, 'utf8').split('\n')) {
    const t = /pts_time:([-\d.]+)/.exec(line);
    if (t) {
      pts = Number(t[1]);
      if (Number.isNaN(first)) first = pts;
    }
    const y = /YAVG=([\d.]+)/.exec(line);
    if (y && Number(y[1]) > 128) return { flash: pts, first };
  }
  throw new Error(`no flash found in ${file}`);
}

/** Time of the click: the loudest sample, with sample 0 at timestamp 0 (encoder delay/priming accounted for). */
function clickTimeSec(file: string): number {
  const sampleRate = 48000;
  const pcm = decodeMono(file, sampleRate, 'aresample=async=1:first_pts=0,');
  let best = 0;
  for (let i = 1; i < pcm.length; i++) if (Math.abs(pcm[i]!) > Math.abs(pcm[best]!)) best = i;
  return best / sampleRate;
}

describe('A/V sync: a flash on the beat frame and a click on the beat stay within half a frame', () => {
  for (const format of ['mp4', 'webm'] as const) {
    it(`${format}${format === 'mp4' ? ' (faststart)' : ''}`, async () => {
      const out = f(`sync.${format}`);
      const r = await exportVideo(tools, { framesDir: f('flash'), fps: FPS, audio: { path: f('song.wav'), startSec: AUDIO_START_SEC }, format, out });
      expect(r).toMatchObject({ frames: FRAMES, outputFps: FPS, durationSec: 3, hasAudio: true });

      const { flash, first } = flashTimeSec(out);
      const click = clickTimeSec(out);
      expect(flash - first).toBeCloseTo(FLASH_FRAME / FPS, 2);
      console.log(`${format}: flash ${flash.toFixed(4)} s, click ${click.toFixed(4)} s, offset ${((click - flash) * 1000).toFixed(1)} ms (limit ${(HALF_FRAME_SEC * 1000).toFixed(1)} ms)`);
      expect(Math.abs(click - flash)).toBeLessThanOrEqual(HALF_FRAME_SEC);

      const streams = ffprobeJson(out, '-show_streams').streams as { codec_name: string; duration?: string; pix_fmt?: string; tags?: { DURATION?: string } }[];
      expect(streams.map((s) => s.codec_name)).toEqual(format === 'mp4' ? ['h264', 'aac'] : ['vp9', 'opus']);
      expect(streams[0]!.pix_fmt).toBe('yuv420p');
      // The music range is exactly frames / fps long (padded where the song ran out).
      const audioSec = decodeMono(out, 48000).length / 48000;
      expect(Math.abs(audioSec - 3)).toBeLessThan(0.05);
      if (format === 'mp4') {
        const bytes = fs.readFileSync(out);
        expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat')); // faststart: playable while downloading
      }
    });
  }
});

describe('other formats', () => {
  it('GIF with a generated palette', async () => {
    const r = await exportVideo(tools, { framesDir: f('flash'), fps: FPS, format: 'gif', out: f('loop.gif'), audio: { path: f('song.wav'), startSec: 0 } });
    expect(r).toMatchObject({ hasAudio: false, settingsStored: false });
    const s = ffprobeJson(r.out, '-count_frames', '-show_streams').streams[0];
    expect(s).toMatchObject({ codec_name: 'gif', width: 64, height: 64, nb_read_frames: String(FRAMES) });
  });

  it('PNG sequence, upscaled 2x, with the settings in a sidecar', async () => {
    const r = await exportVideo(tools, { framesDir: f('flash'), fps: FPS, format: 'png', out: f('pngs'), upscale: 2, settings });
    const files = fs.readdirSync(r.out).filter((n) => n.endsWith('.png'));
    expect(files).toHaveLength(FRAMES);
    expect(ffprobeJson(path.join(r.out, '000018.png'), '-show_streams').streams[0]).toMatchObject({ width: 128, height: 128 });
    expect(await readSettings(tools.ffprobePath, r.out)).toEqual(settings);
  });

  it('motion interpolation to 24 fps doubles the frames and keeps the duration', async () => {
    flashFrames(f('short'), { count: 12, fps: FPS, flashFrame: -1 });
    const r = await exportVideo(tools, { framesDir: f('short'), fps: FPS, format: 'mp4', out: f('smooth.mp4'), interpolateFps: 24 });
    const s = ffprobeJson(r.out, '-count_frames', '-show_streams').streams[0];
    expect(s.avg_frame_rate).toBe('24/1');
    expect(Number(s.nb_read_frames)).toBe(24);
    expect(Number(s.duration)).toBeCloseTo(1, 1);
  });
});

describe('generation settings recall', () => {
  for (const format of ['mp4', 'webm'] as const) {
    it(`${format}: prompts, seeds, pack and beats hash come back from the file`, async () => {
      const r = await exportVideo(tools, { framesDir: f('flash'), fps: FPS, format, out: f(`with-settings.${format}`), settings });
      expect(await readSettings(tools.ffprobePath, r.out)).toEqual(settings);
    });
  }

  it('a video without settings says so', async () => {
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=s=64x64:d=0.5', '-c:v', 'libx264', '-preset', 'ultrafast', '-metadata', 'comment=just a holiday video', f('other.mp4'));
    await expect(readSettings(tools.ffprobePath, f('other.mp4'))).rejects.toMatchObject({ code: 'MEDIA_NO_SETTINGS', message: 'other.mp4 carries no MuseDance generation settings.' });
  });
});

describe('export failures and cancel', () => {
  it('a missing frames folder, a gap in the numbering, an existing output, a frame that is not a PNG', async () => {
    await expect(exportVideo(tools, { framesDir: f('nowhere'), fps: FPS, format: 'mp4', out: f('x.mp4') })).rejects.toMatchObject({ code: 'MEDIA_FRAMES_MISSING' });
    fs.mkdirSync(f('gap'));
    for (const n of [1, 2, 4]) fs.copyFileSync(path.join(f('flash'), '000001.png'), path.join(f('gap'), `frame_${String(n).padStart(4, '0')}.png`));
    await expect(exportVideo(tools, { framesDir: f('gap'), fps: FPS, format: 'mp4', out: f('x.mp4') })).rejects.toMatchObject({
      code: 'MEDIA_FRAMES_NOT_SEQUENTIAL',
      message: expect.stringContaining('frame_0002.png is followed by frame_0004.png'),
    });
    fs.writeFileSync(f('exists.mp4'), 'keep me');
    await expect(exportVideo(tools, { framesDir: f('flash'), fps: FPS, format: 'mp4', out: f('exists.mp4') })).rejects.toMatchObject({ code: 'MEDIA_BAD_OUTPUT', message: expect.stringContaining('already exists') });
    expect(fs.readFileSync(f('exists.mp4'), 'utf8')).toBe('keep me');
    fs.mkdirSync(f('fake'));
    fs.writeFileSync(path.join(f('fake'), '0001.png'), 'not a picture');
    await expect(exportVideo(tools, { framesDir: f('fake'), fps: FPS, format: 'mp4', out: f('x.mp4') })).rejects.toMatchObject({ code: 'MEDIA_CORRUPT', message: expect.stringMatching(/0001\.png is not a PNG image/) });
  });

  it('cancel kills ffmpeg and removes the partial file', async () => {
    const framesDir = f('long');
    fs.mkdirSync(framesDir);
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=320x320:r=12', '-frames:v', '240', '-start_number', '1', path.join(framesDir, '%06d.png'));
    const outDir = tempDir('cancel-out');
    const out = path.join(outDir, 'cancelled.webm');
    const controller = new AbortController();
    let sawEncoding = false;
    const started = performance.now();
    const job = exportVideo(tools, {
      framesDir,
      fps: FPS,
      format: 'webm',
      out,
      audio: { path: f('song.wav'), startSec: 0 },
      signal: controller.signal,
      onProgress: (_p, message) => {
        if (message.startsWith('Encoding') && !sawEncoding) {
          sawEncoding = true;
          controller.abort();
        }
      },
    });
    await expect(job).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(sawEncoding).toBe(true);
    expect(fs.readdirSync(outDir)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(60_000);
    // No ffmpeg is left writing into the folder.
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(outDir);
  });
});

describe('export and settings from the CLI', () => {
  it('`export <framesDir> --fps --audio --audio-start --settings --json` then `settings <file> --json`', async () => {
    fs.writeFileSync(f('settings.json'), JSON.stringify(settings));
    let out = '';
    const io = { out: (s: string) => ((out += s), true), err: () => true };
    const previous = process.env.INIT_CWD;
    process.env.INIT_CWD = dir; // relative paths are relative to where the user typed them
    try {
      const code = await runCli(['export', 'flash', '--fps', '12', '--out', 'cli.webm', '--audio', 'song.wav', '--audio-start', String(AUDIO_START_SEC), '--settings', 'settings.json', '--json'], io);
      expect(code).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ out: f('cli.webm'), format: 'webm', frames: FRAMES, durationSec: 3 });
      out = '';
      expect(await runCli(['settings', 'cli.webm', '--json'], io)).toBe(0);
      expect(JSON.parse(out)).toEqual({ settings });
    } finally {
      if (previous === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = previous;
    }
  });
});
