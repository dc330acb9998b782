import { describe, expect, it } from 'vitest';
import { centredBox, clampBox } from '../../../renderer/src/features/media/crop-store';
import { centredCrop } from '../../../electron/services/media/import-image';

describe('crop box maths (dialog and service agree)', () => {
  it.each([
    [640, 480, 512, 512],
    [240, 320, 512, 512],
    [1000, 1000, 1920, 1080],
    [333, 777, 384, 512],
  ])('largest centred box: %i x %i picture, %i x %i target', (w, h, dstW, dstH) => {
    const aspect = dstW / dstH;
    const box = centredBox(w, h, aspect);
    expect(box.width <= w && box.height <= h).toBe(true);
    expect(Math.abs(box.width / box.height - aspect)).toBeLessThan(0.02);
    expect(box).toEqual(centredCrop(w, h, dstW, dstH));
  });

  it('moves and resizes stay inside the picture', () => {
    expect(clampBox({ x: 500, y: -20, width: 480, height: 480 }, 640, 480)).toEqual({ x: 160, y: 0, width: 480, height: 480 });
    expect(clampBox({ x: 10.6, y: 3.2, width: 900, height: 900 }, 640, 480)).toEqual({ x: 0, y: 0, width: 640, height: 480 });
  });
});
