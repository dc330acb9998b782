/**
 * Export speed: a 640x640, 12 fps, 60 s clip of PNG frames with its music -> MP4 (H.264 + AAC, faststart),
 * as a multiple of real time (target >= 10x on the 2-core dev machine), next to the plain ffmpeg command line
 * doing the same encode with the same arguments. Runs alternate (service, CLI, service, CLI) and the best of
 * each is reported, so a neighbour's burst of CPU use does not decide the comparison.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../electron/services/config';
import { ENCODER_ARGS, exportVideo, videoFilters } from '../../electron/services/media/index';
import { bench } from './report';

const FPS = 12;
const DURATION_SEC = 60;
const SIDE_PX = 640;
const AUDIO_START_SEC = 2;
const ROUNDS = 2;

/**
 * CPU seconds used by finished child processes (Linux /proc: cutime + cstime). Wall-clock speed on a shared
 * two-core machine depends on the neighbours; CPU time per encode does not, so it is reported alongside.
 */
function childCpuSec(): number | null {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    const ticksPerSec = 100; // USER_HZ on Linux
    return (Number(fields[13]) + Number(fields[14])) / ticksPerSec;
  } catch {
    return null;
  }
}

export default async function exportBench(): Promise<void> {
  const config = loadConfig();
  const tools = { ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-bench-export-'));
  const ffmpeg = (...args: string[]) => execFileSync(config.ffmpegPath, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const framesDir = path.join(dir, 'frames');
    fs.mkdirSync(framesDir);
    // Moving, textured frames (not flat colour, which would flatter the encoder).
    ffmpeg('-f', 'lavfi', '-i', `testsrc2=s=${SIDE_PX}x${SIDE_PX}:r=${FPS}`, '-frames:v', String(FPS * DURATION_SEC), '-start_number', '1', path.join(framesDir, '%06d.png'));
    const song = path.join(dir, 'song.wav');
    ffmpeg('-f', 'lavfi', '-i', `aevalsrc=0.2*sin(2*PI*220*t)+0.1*sin(2*PI*330*t)*gt(mod(t\\,0.5)\\,0.25)|0.2*sin(2*PI*277*t):s=44100:d=${DURATION_SEC + AUDIO_START_SEC + 1}`, '-c:a', 'pcm_s16le', song);

    const serviceOut = path.join(dir, 'service.mp4');
    const cliOut = path.join(dir, 'cli.mp4');
    const enc = ENCODER_ARGS.mp4;
    // The same encode, spelled out for the plain ffmpeg command line.
    const cliArgs = [
      '-f', 'image2', '-framerate', String(FPS), '-start_number', '1', '-i', path.join(framesDir, '%06d.png'),
      '-ss', AUDIO_START_SEC.toFixed(6), '-t', DURATION_SEC.toFixed(6), '-i', song,
      '-map', '0:v:0', '-vf', videoFilters({ format: 'mp4' }).join(','), ...enc.video, '-r', String(FPS),
      '-map', '1:a:0', '-af', 'apad', ...enc.audio, ...enc.container, '-t', DURATION_SEC.toFixed(6), '-map_metadata', '-1', cliOut,
    ];

    let bestService = Infinity;
    let bestCli = Infinity;
    let serviceCpu = Infinity;
    let cliCpu = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      const cpu0 = childCpuSec();
      const t0 = performance.now();
      await exportVideo(tools, { framesDir, fps: FPS, format: 'mp4', out: serviceOut, audio: { path: song, startSec: AUDIO_START_SEC }, overwrite: true });
      bestService = Math.min(bestService, (performance.now() - t0) / 1000);
      const cpu1 = childCpuSec();
      const t1 = performance.now();
      ffmpeg(...cliArgs);
      bestCli = Math.min(bestCli, (performance.now() - t1) / 1000);
      const cpu2 = childCpuSec();
      if (cpu0 !== null && cpu1 !== null && cpu2 !== null) {
        serviceCpu = Math.min(serviceCpu, cpu1 - cpu0);
        cliCpu = Math.min(cliCpu, cpu2 - cpu1);
      }
    }
    console.log(`# export: ${FPS * DURATION_SEC} frames ${SIDE_PX}x${SIDE_PX} + AAC, best of ${ROUNDS}: service ${bestService.toFixed(2)} s, ffmpeg CLI ${bestCli.toFixed(2)} s; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
    bench('export.realtime_x', DURATION_SEC / bestService, 'x');
    bench('export.ffmpeg_cli_realtime_x', DURATION_SEC / bestCli, 'x');
    if (Number.isFinite(serviceCpu)) {
      bench('export.cpu_sec', serviceCpu, 's');
      bench('export.ffmpeg_cli_cpu_sec', cliCpu, 's');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
