/**
 * The byte-for-byte PNG verdict (services/media/png-check) that probe and export share: whole PNGs of every
 * colour type, depth and interlacing pass; a cut file, a wrong CRC, image data that inflates past its header
 * (a bomb behind a small IHDR) or stops short do not.
 */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { expectedRawBytes, verifyPng } from '../../../electron/services/media/png-check';

const chunk = (type: string, data: Buffer) => {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body) >>> 0);
  return Buffer.concat([head, body, crc]);
};
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

/** A PNG written the long way (per pass when interlaced), so the verdict is checked against an independent writer. */
function png(width: number, height: number, colour: number, depth: number, interlaced: boolean, rawOverride?: Buffer): Buffer {
  const bpp = CHANNELS[colour]! * depth;
  const rows: Buffer[] = [];
  const passes = interlaced ? ADAM7 : [[0, 0, 1, 1]];
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil(Math.max(0, width - x0!) / dx!);
    const h = Math.ceil(Math.max(0, height - y0!) / dy!);
    if (!w || !h) continue;
    for (let y = 0; y < h; y++) rows.push(Buffer.concat([Buffer.from([0]), Buffer.alloc(Math.ceil((w * bpp) / 8), y % 251)]));
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = colour;
  ihdr[12] = interlaced ? 1 : 0;
  const raw = rawOverride ?? Buffer.concat(rows);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

describe('verifyPng', () => {
  it('accepts whole PNGs of every colour type, depth and interlacing', async () => {
    for (const [colour, depths] of [[0, [1, 2, 4, 8, 16]], [2, [8, 16]], [3, [1, 2, 4, 8]], [4, [8, 16]], [6, [8, 16]]] as const) {
      for (const depth of depths) {
        for (const interlaced of [false, true]) {
          for (const [w, h] of [[1, 1], [7, 3], [37, 23]]) {
            const v = await verifyPng(png(w!, h!, colour, depth, interlaced), 1e6);
            expect(v, `${colour}/${depth}/${interlaced} ${w}x${h}`).toEqual({ ok: true, width: w, height: h });
          }
        }
      }
    }
  });

  it('refuses a cut file, a wrong CRC, a bomb behind a small header and image data that stops short', async () => {
    const good = png(16, 16, 2, 8, false);
    expect(await verifyPng(good.subarray(0, good.length - 20), 1e6)).toMatchObject({ ok: false, problem: 'truncated' });
    const badCrc = Buffer.from(good);
    badCrc[good.indexOf('IDAT') + 6] = badCrc[good.indexOf('IDAT') + 6]! ^ 1;
    expect(await verifyPng(badCrc, 1e6)).toMatchObject({ ok: false, problem: 'corrupt', reason: expect.stringMatching(/IDAT/) });
    const bomb = png(16, 16, 2, 8, false, Buffer.alloc(50_000_000));
    expect(bomb.length).toBeLessThan(100_000);
    expect(await verifyPng(bomb, 1e6)).toMatchObject({ ok: false, problem: 'corrupt' });
    expect(await verifyPng(png(16, 16, 2, 8, false, Buffer.alloc(100)), 1e6)).toMatchObject({ ok: false, problem: 'truncated' });
    expect(await verifyPng(png(20_000, 20_000, 0, 1, false, Buffer.alloc(10)), 50e6)).toMatchObject({ ok: false, problem: 'too-large' });
    expect(await verifyPng(Buffer.from('<svg/>'), 1e6)).toMatchObject({ ok: false, problem: 'not-png' });
  });

  it('counts interlaced data per Adam7 pass', () => {
    expect(expectedRawBytes(1, 1, 8, true)).toBe(2);
    expect(expectedRawBytes(8, 8, 8, false)).toBe(8 * 9);
    expect(expectedRawBytes(8, 8, 8, true)).toBe(1 * 2 + 1 * 2 + 1 * 3 + 2 * 3 + 2 * 5 + 4 * 5 + 4 * 9);
  });
});
