/**
 * Real media made by ffmpeg (lavfi sources) in a temp folder, plus a few hand-damaged files. Small on purpose:
 * the whole media suite shares two cores with the rest of the team.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { emptyProject } from '../../../electron/shared/domain/project';
import { loadConfig } from '../../../electron/services/config';
import type { MediaTools } from '../../../electron/services/media/index';

export const config = loadConfig();
export const tools: MediaTools = { ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath };

export const tempDir = (label: string) => fs.mkdtempSync(path.join(os.tmpdir(), `musedance-media-${label}-`));

/** Runs ffmpeg with lavfi inputs; throws with ffmpeg's stderr on failure. */
export function ffmpeg(...args: string[]): void {
  execFileSync(config.ffmpegPath, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function ffprobeJson(file: string, ...args: string[]): any {
  return JSON.parse(execFileSync(config.ffprobePath, ['-v', 'error', '-of', 'json', ...args, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
}

/** Decodes the first audio stream to mono float32 PCM at its own rate. */
export function decodeMono(file: string, sampleRate: number, extraFilter = ''): Float32Array {
  const out = execFileSync(
    config.ffmpegPath,
    ['-hide_banner', '-nostdin', '-v', 'error', '-copyts', '-i', file, '-map', '0:a:0', '-ac', '1', '-af', `${extraFilter}aresample=${sampleRate}`, '-f', 'f32le', '-'],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return new Float32Array(out.buffer, out.byteOffset, out.byteLength / 4);
}

export const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / Math.max(1, x.length));

/** Copy of `file` cut to `fraction` of its bytes. */
export function truncateCopy(file: string, out: string, fraction = 0.5): string {
  const bytes = fs.readFileSync(file);
  fs.writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length * fraction)));
  return out;
}

/** A real PNG (1-bit grey, all black) of the given size: tiny on disk, `width*height` pixels once decoded. */
export function bombPng(out: string, width: number, height: number): string {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const rowBytes = 1 + Math.ceil(width / 8);
  const raw = Buffer.alloc(rowBytes * height); // filter byte 0 + zero pixels per row
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
  fs.writeFileSync(out, png);
  return out;
}

/** Numbered PNG frames: dark grey, with a full white frame at `flashFrame` (-1 for none). */
export function flashFrames(dir: string, opts: { count: number; fps: number; flashFrame: number; size?: string }): string {
  fs.mkdirSync(dir, { recursive: true });
  const size = opts.size ?? '64x64';
  const draw = opts.flashFrame >= 0 ? `,drawbox=x=0:y=0:w=iw:h=ih:t=fill:c=white:enable='eq(n\\,${opts.flashFrame})'` : '';
  ffmpeg('-f', 'lavfi', '-i', `color=c=0x202020:s=${size}:r=${opts.fps},format=rgb24${draw}`, '-frames:v', String(opts.count), '-start_number', '1', path.join(dir, '%06d.png'));
  return dir;
}

/** A quiet song (low hum) with a loud 3 ms click at `clickSec`. */
export function clickSong(out: string, opts: { durationSec: number; clickSec: number; sampleRate?: number }): string {
  const sr = opts.sampleRate ?? 44100;
  const expr = `0.02*sin(2*PI*110*t)+if(between(t\\,${opts.clickSec}\\,${opts.clickSec + 0.003})\\,0.9\\,0)`;
  ffmpeg('-f', 'lavfi', '-i', `aevalsrc=${expr}|${expr}:s=${sr}:d=${opts.durationSec}`, '-c:a', 'pcm_s16le', out);
  return out;
}

/** A minimal v1 project folder (project.json + media/) for imports. */
export function newProject(dir: string): string {
  fs.mkdirSync(path.join(dir, 'media'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'project.json'), JSON.stringify(emptyProject('Media test')));
  return dir;
}
