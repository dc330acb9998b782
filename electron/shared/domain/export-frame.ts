/**
 * Output frame of an export (issue 23): the pack's native size, upscaled 1-4x, then fitted to an aspect
 * (9:16, 1:1, 16:9) by letterbox (black bars) or crop (centre cut). One home for the arithmetic: the export
 * service turns it into ffmpeg filters and the export dialog shows the same numbers before anything runs.
 */
import { z } from 'zod';

export const ExportAspect = z.enum(['native', '9:16', '1:1', '16:9']);
export type ExportAspect = z.infer<typeof ExportAspect>;
export const ExportFit = z.enum(['letterbox', 'crop']);
export type ExportFit = z.infer<typeof ExportFit>;
export const ExportUpscale = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
export type ExportUpscale = z.infer<typeof ExportUpscale>;

export interface FramePlan {
  /** Size after the upscale (lanczos). */
  scaled: { width: number; height: number };
  /** Centre crop to this size (crop fit), or null. */
  crop: { width: number; height: number; x: number; y: number } | null;
  /** Pad to this size with the picture centred (letterbox fit, and yuv420p's even sides), or null. */
  pad: { width: number; height: number; x: number; y: number } | null;
  /** What the viewer gets. */
  width: number;
  height: number;
}

const RATIO: Record<Exclude<ExportAspect, 'native'>, [number, number]> = { '9:16': [9, 16], '1:1': [1, 1], '16:9': [16, 9] };
const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);
const evenUp = (n: number) => Math.ceil(n / 2) * 2;

/**
 * The output frame for a `width` x `height` source. `evenSides` (MP4/WebM: yuv420p) makes both sides even:
 * crops round down, pads round up, so the picture is never stretched.
 */
export function planFrame(
  source: { width: number; height: number },
  options: { upscale?: ExportUpscale; aspect?: ExportAspect; fit?: ExportFit; evenSides?: boolean },
): FramePlan {
  const k = options.upscale ?? 1;
  const scaled = { width: source.width * k, height: source.height * k };
  const aspect = options.aspect ?? 'native';
  const fitEven = options.evenSides ?? false;
  let crop: FramePlan['crop'] = null;
  let w = scaled.width;
  let h = scaled.height;
  let padW = w;
  let padH = h;
  if (aspect !== 'native') {
    const [aw, ah] = RATIO[aspect];
    if ((options.fit ?? 'crop') === 'crop') {
      // Largest aspect-exact box inside the picture.
      const cw = Math.min(w, Math.floor((h * aw) / ah));
      const ch = Math.min(h, Math.floor((w * ah) / aw));
      const cropW = fitEven ? even(cw) : cw;
      const cropH = fitEven ? even(ch) : ch;
      crop = { width: cropW, height: cropH, x: Math.floor((w - cropW) / 2), y: Math.floor((h - cropH) / 2) };
      w = padW = cropW;
      h = padH = cropH;
    } else {
      // Smallest aspect-exact canvas around the picture.
      padW = Math.max(w, Math.ceil((h * aw) / ah));
      padH = Math.max(h, Math.ceil((w * ah) / aw));
    }
  }
  if (fitEven) {
    padW = evenUp(padW);
    padH = evenUp(padH);
  }
  const pad = padW !== w || padH !== h ? { width: padW, height: padH, x: Math.floor((padW - w) / 2), y: Math.floor((padH - h) / 2) } : null;
  return { scaled, crop, pad, width: padW, height: padH };
}

/**
 * Frames and seconds of an export trimmed to the song's end: a last segment runs past the music (segments are
 * whole K-frame blocks), and the video must stop where the song does. `songRemainingSec` is the song's length
 * after the first exported frame; null = no song (nothing to trim to).
 */
export function trimmedLength(frames: number, fps: number, songRemainingSec: number | null): { frames: number; durationSec: number } {
  const full = frames / fps;
  if (songRemainingSec === null || !(songRemainingSec < full)) return { frames, durationSec: full };
  const durationSec = Math.max(1 / fps, songRemainingSec);
  return { frames: Math.min(frames, Math.max(1, Math.ceil(durationSec * fps - 1e-6))), durationSec };
}
