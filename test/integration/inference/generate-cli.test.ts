/**
 * `musedance generate` end to end in this process (real registry, ORT worker, ffmpeg) with a K=8 test pack given
 * as a folder: it goes through channels only (beats.analyse for the beats and the song's length, media.probe when
 * beats are given), and the pack folder reaches the studio as a parameter, not as an edit of MUSEDANCE_PACK_DIRS.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, useCliScratch } from '../cli-in-process';
import { ensureTestPack } from '../../fixtures/inference/test-pack';

const scratch = useCliScratch('musedance-generate-cli-');
const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args]);

describe('musedance generate', () => {
  it('makes a video with a pack folder and detected beats, leaving MUSEDANCE_PACK_DIRS as it was', async () => {
    const pack = await ensureTestPack(8);
    const root = scratch();
    const image = path.join(root, 'ref.png');
    const song = path.join(root, 'clicks.wav');
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=160x120', '-frames:v', '1', image);
    // A click every 0.5 s (120 BPM) over a quiet tone: beats the tracker finds.
    ffmpeg('-f', 'lavfi', '-i', "aevalsrc='0.05*sin(2*PI*220*t)+0.8*sin(2*PI*1000*t)*exp(-60*mod(t,0.5))':s=22050:d=4", song);
    const before = process.env.MUSEDANCE_PACK_DIRS;
    const out = path.join(root, 'dance.mp4');
    const run = await cli(['generate', '--image', image, '--audio', song, '--prompt', 'a dancer', '--pack', pack, '--steps', '2', '--out', out, '--json']);
    expect(run.code, run.err).toBe(0);
    expect(process.env.MUSEDANCE_PACK_DIRS).toBe(before);
    const json = JSON.parse(run.out);
    expect(json).toMatchObject({ out, segments: 1, frames: 8, packId: path.basename(pack), steps: 2, beatsSource: 'detected' });
    expect(json.beats).toBeGreaterThanOrEqual(4);
    expect(fs.statSync(out).size).toBeGreaterThan(0);

    // Given beats and --whole: the song's length comes from media.probe; 1.2 s at the pack's fps in K=8 segments.
    const fps = JSON.parse(fs.readFileSync(path.join(pack, 'manifest.json'), 'utf8')).config.fps as number;
    const short = path.join(root, 'short.wav');
    ffmpeg('-i', song, '-t', '1.2', short);
    const whole = await cli(['generate', '--image', image, '--audio', short, '--prompt', 'a dancer', '--pack', pack, '--steps', '1', '--whole', '--beats', '0.5,1', '--out', out, '--json']);
    expect(whole.code, whole.err).toBe(0);
    expect(JSON.parse(whole.out)).toMatchObject({ segments: Math.ceil((1.2 * fps) / 8), beats: 2, beatsSource: 'option' });
  }, 600_000);
});
