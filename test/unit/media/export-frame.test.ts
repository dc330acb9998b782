/** The export dialog's frame arithmetic (issue 23): upscale, aspect by crop or letterbox, trim to the song. */
import { describe, expect, it } from 'vitest';
import { planFrame, trimmedLength } from '../../../electron/shared/domain/export-frame';

describe('planFrame', () => {
  it('native size is the pack size times the upscale', () => {
    expect(planFrame({ width: 64, height: 64 }, { upscale: 4 })).toMatchObject({ width: 256, height: 256, crop: null, pad: null });
  });
  it('9:16 crop of a square cuts the sides, centred', () => {
    const p = planFrame({ width: 64, height: 64 }, { upscale: 4, aspect: '9:16', fit: 'crop', evenSides: true });
    expect(p).toMatchObject({ width: 144, height: 256, crop: { width: 144, height: 256, x: 56, y: 0 }, pad: null });
  });
  it('9:16 letterbox of a square adds bars above and below', () => {
    const p = planFrame({ width: 64, height: 64 }, { upscale: 2, aspect: '9:16', fit: 'letterbox', evenSides: true });
    expect(p.width).toBe(128);
    expect(p.height).toBe(Math.ceil((128 * 16) / 9 / 2) * 2);
    expect(p.pad).toMatchObject({ x: 0, y: Math.floor((p.height - 128) / 2) });
  });
  it('16:9 and 1:1 of a portrait source', () => {
    expect(planFrame({ width: 90, height: 160 }, { aspect: '1:1', fit: 'crop' })).toMatchObject({ width: 90, height: 90 });
    expect(planFrame({ width: 90, height: 160 }, { aspect: '16:9', fit: 'letterbox' })).toMatchObject({ width: 285, height: 160 });
  });
  it('odd sides are padded to even for yuv420p, never stretched', () => {
    expect(planFrame({ width: 63, height: 63 }, { evenSides: true })).toMatchObject({ width: 64, height: 64, pad: { x: 0, y: 0 } });
  });
});

describe('trimmedLength', () => {
  it('cuts a last segment that runs past the song', () => {
    // 96 frames at 12 fps = 8 s of video; the song has 7.3 s left.
    expect(trimmedLength(96, 12, 7.3)).toEqual({ frames: 88, durationSec: 7.3 });
  });
  it('leaves a video that ends before the song alone', () => {
    expect(trimmedLength(48, 12, 30)).toEqual({ frames: 48, durationSec: 4 });
    expect(trimmedLength(48, 12, null)).toEqual({ frames: 48, durationSec: 4 });
  });
});
