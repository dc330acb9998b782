import { describe, expect, it } from 'vitest';
import { createFfmpegCommand, FfmpegJob, STOP_GRACE_MS } from '../../../electron/services/media/index';
import { tools } from './media-fixtures';

/** An ffmpeg that would run for an hour: real-time (-re) silence into the null muxer. */
const endless = () => createFfmpegCommand(tools).input('anullsrc=r=8000:cl=mono').inputOptions(['-re', '-f', 'lavfi', '-t', '3600']).output('-').outputOptions(['-f', 'null']);

describe('FfmpegJob owns the ffmpeg process', () => {
  it('stop() settles quickly and start() rejects with CANCELLED on abort', async () => {
    const controller = new AbortController();
    const progress: number[] = [];
    const job = new FfmpegJob(endless(), { label: 'Endless', signal: controller.signal, onProgress: (p) => progress.push(p.outTimeSec) });
    const running = job.start();
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => progress.length > 0 && (clearInterval(poll), resolve()), 50);
    });
    const stopAt = performance.now();
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED', message: 'Endless cancelled.' });
    expect(performance.now() - stopAt).toBeLessThan(STOP_GRACE_MS + 2000);
    await job.stop(); // a second stop after exit is a no-op that still settles
  });

  it('stop() before ffmpeg has spawned still stops it', async () => {
    const job = new FfmpegJob(endless(), { label: 'Early' });
    const running = job.start();
    await job.stop();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('a missing ffmpeg binary is a clear error, not a crash', async () => {
    const command = createFfmpegCommand({ ffmpegPath: '/nonexistent/ffmpeg', ffprobePath: 'ffprobe' }).input('x').output('-').outputOptions(['-f', 'null']);
    await expect(new FfmpegJob(command, { label: 'Missing' }).start()).rejects.toMatchObject({ code: 'MEDIA_FFMPEG_MISSING' });
  });

  it('ffmpeg failing reports its own error line', async () => {
    const command = createFfmpegCommand(tools).input('/nonexistent/input.wav').output('-').outputOptions(['-f', 'null']);
    await expect(new FfmpegJob(command, { label: 'Broken' }).start()).rejects.toMatchObject({ code: 'MEDIA_FFMPEG_FAILED', message: expect.stringMatching(/^Broken failed: .*No such file/) });
  });
});
