/** Short dance-like clips made by ffmpeg's lavfi sources: moving test patterns with clicks on a steady beat. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const FFMPEG = process.env.MUSEDANCE_FFMPEG || 'ffmpeg';

/** Clicks every `beatSec` (decaying 880 Hz tone), as an aevalsrc expression. */
const clicks = (beatSec: number, seconds: number) => `aevalsrc=0.8*sin(2*PI*880*t)*exp(-30*mod(t\\,${beatSec})):s=22050:d=${seconds}`;

export interface ClipRecipe {
  name: string;
  seconds: number;
  video?: 'testsrc' | 'testsrc2' | 'still';
  /** Seconds between clicks; null = no audio stream. */
  beatSec?: number | null;
}

export function makeClip(dir: string, r: ClipRecipe): string {
  const file = path.join(dir, r.name);
  const source = r.video === 'still' ? 'color=c=blue:' : `${r.video ?? 'testsrc'}=`;
  const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', `${source}size=96x72:rate=24:duration=${r.seconds}`];
  if (r.beatSec !== null) args.push('-f', 'lavfi', '-i', clicks(r.beatSec ?? 0.5, r.seconds), '-c:a', 'aac', '-shortest');
  args.push('-c:v', 'libx264', '-pix_fmt', 'yuv420p', file);
  execFileSync(FFMPEG, args);
  return file;
}
