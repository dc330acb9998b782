/**
 * Decoding is streamed: a 24-minute song must not need much more memory than a 4-minute one. Holding the
 * decoded PCM would add 106 MB (20 extra minutes of float32 at 22.05 kHz); streaming only adds GC slack for
 * ffmpeg's stdout chunks (external memory that V8 collects lazily, bounded at a few tens of MB).
 * Each analysis runs in a fresh process so its peak RSS is its own. (60 minutes: `npm run bench -- beats`.)
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-beats-rss-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const RATE = 22_050;

/** 16-bit mono WAV of a 120 BPM pulse (decaying 330 Hz tone every 0.5 s), written directly. */
function pulseWav(file: string, minutes: number): void {
  const n = minutes * 60 * RATE;
  const data = Buffer.alloc(44 + n * 2);
  data.write('RIFF', 0);
  data.writeUInt32LE(36 + n * 2, 4);
  data.write('WAVEfmt ', 8);
  data.writeUInt32LE(16, 16);
  data.writeUInt16LE(1, 20);
  data.writeUInt16LE(1, 22);
  data.writeUInt32LE(RATE, 24);
  data.writeUInt32LE(RATE * 2, 28);
  data.writeUInt16LE(2, 32);
  data.writeUInt16LE(16, 34);
  data.write('data', 36);
  data.writeUInt32LE(n * 2, 40);
  const period = RATE / 2;
  for (let i = 0; i < n; i++) {
    const t = (i % period) / RATE;
    data.writeInt16LE(Math.round(20_000 * Math.sin((2 * Math.PI * 330 * i) / RATE) * Math.exp(-8 * t)), 44 + 2 * i);
  }
  fs.writeFileSync(file, data);
}

async function analyseInChild(file: string): Promise<{ peakRssMb: number; durationSec: number; beats: number }> {
  const child = path.resolve('test/bench/beats-rss-child.ts');
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child, file, path.join(dir, 'cache')], { timeout: 240_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

describe('streamed decode memory', () => {
  it('a 24-minute song peaks at about the same RSS as a 4-minute one', async () => {
    pulseWav(path.join(dir, 'short.wav'), 4);
    const short = await analyseInChild(path.join(dir, 'short.wav'));
    pulseWav(path.join(dir, 'long.wav'), 24);
    const long = await analyseInChild(path.join(dir, 'long.wav'));
    const growth = long.peakRssMb - short.peakRssMb;
    console.log(`peak RSS: 4 min ${short.peakRssMb.toFixed(1)} MB, 24 min ${long.peakRssMb.toFixed(1)} MB`);
    expect(long.durationSec).toBeCloseTo(24 * 60, 0);
    expect(long.beats).toBeGreaterThan(2800); // 120 BPM throughout
    expect(long.peakRssMb).toBeLessThan(400);
    expect(growth, `peak RSS 4 min ${short.peakRssMb.toFixed(0)} MB, 24 min ${long.peakRssMb.toFixed(0)} MB`).toBeLessThan(50);
  });
});
