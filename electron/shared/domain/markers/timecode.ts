/** Non-drop-frame SMPTE timecode (`HH:MM:SS:FF`) at an integer frame rate, as editors show marker positions. */
import { badFile } from './marker-record';

export const TIMECODE_RATES = [12, 23.976, 24, 25, 29.97, 30, 48, 50, 60] as const;

/** Frames per second used for counting: 23.976 counts 24, 29.97 counts 30 (non-drop). */
const countingRate = (fps: number) => Math.round(fps);

export function formatTimecode(timeSec: number, fps: number): string {
  const rate = countingRate(fps);
  const totalFrames = Math.floor(timeSec * rate + 1e-6);
  const ff = totalFrames % rate;
  const totalSec = Math.floor(totalFrames / rate);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(totalSec / 3600))}:${pad(Math.floor(totalSec / 60) % 60)}:${pad(totalSec % 60)}:${pad(ff)}`;
}

export function parseTimecode(text: string, fps: number, where: string): number {
  const m = /^(\d{1,2}):(\d{2}):(\d{2})[:;](\d{2})$/.exec(text.trim());
  if (!m) throw badFile(`${where}: "${text.slice(0, 40)}" is not a timecode (HH:MM:SS:FF).`);
  const [h, min, s, f] = m.slice(1).map(Number) as [number, number, number, number];
  const rate = countingRate(fps);
  if (min > 59 || s > 59 || f >= rate) throw badFile(`${where}: "${text}" is not a valid timecode at ${fps} fps.`);
  return h * 3600 + min * 60 + s + f / rate;
}
