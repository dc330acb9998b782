/**
 * A PNG checked byte for byte without a decoder: signature, every chunk inside the file with a correct CRC,
 * IHDR first, IDAT data that inflates to exactly the size IHDR announces (never more: a decompression bomb
 * stops at that size), IEND last. ffmpeg ignores chunk CRCs and decodes what it can of a cut or damaged PNG;
 * an export frame or a reference image must be whole, so this is the verdict both use.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const inflate = promisify(zlib.inflate) as (buf: Buffer, options: zlib.ZlibOptions & { maxOutputLength?: number }) => Promise<Buffer>;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

export type PngVerdict =
  | { ok: true; width: number; height: number }
  | { ok: false; problem: 'not-png' | 'truncated' | 'corrupt' | 'too-large'; reason: string };

const crc32 = (bytes: Buffer): number => zlib.crc32(bytes) >>> 0;

/** Bytes of filtered image data (filter byte per row included) a PNG of this header must inflate to. */
export function expectedRawBytes(width: number, height: number, bitsPerPixel: number, interlaced: boolean): number {
  const rowBytes = (w: number) => (w === 0 ? 0 : 1 + Math.ceil((w * bitsPerPixel) / 8));
  if (!interlaced) return height * rowBytes(width);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const w = Math.ceil(Math.max(0, width - x0) / dx);
    const h = Math.ceil(Math.max(0, height - y0) / dy);
    if (w && h) total += h * rowBytes(w);
  }
  return total;
}

/**
 * Verdict on a whole PNG file's bytes. `maxPixels` bounds the decoded size checked from IHDR before inflating.
 */
export async function verifyPng(bytes: Buffer, maxPixels: number): Promise<PngVerdict> {
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(SIGNATURE)) return { ok: false, problem: 'not-png', reason: 'it does not start with the PNG signature' };
  let offset = 8;
  let header: { width: number; height: number; bpp: number; interlaced: boolean } | null = null;
  const idat: Buffer[] = [];
  let idatDone = false;
  let sawEnd = false;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) return { ok: false, problem: 'truncated', reason: 'the PNG ends inside a chunk header' };
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type)) return { ok: false, problem: 'corrupt', reason: `a chunk header at byte ${offset} is damaged` };
    const end = offset + 12 + length;
    if (end > bytes.length) return { ok: false, problem: 'truncated', reason: `the ${type} chunk runs past the end of the file` };
    const body = bytes.subarray(offset + 4, offset + 8 + length);
    if (crc32(body) !== bytes.readUInt32BE(offset + 8 + length)) return { ok: false, problem: 'corrupt', reason: `the ${type} chunk has a wrong checksum (CRC)` };
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (!header && type !== 'IHDR') return { ok: false, problem: 'corrupt', reason: 'the first chunk is not IHDR' };
    if (type === 'IHDR') {
      if (header || length !== 13) return { ok: false, problem: 'corrupt', reason: 'the IHDR chunk is damaged' };
      const width = data.readUInt32BE(0);
      const height = data.readUInt32BE(4);
      const depth = data[8]!;
      const colour = data[9]!;
      if (!width || !height || !DEPTHS[colour]?.includes(depth) || data[10] !== 0 || data[11] !== 0 || data[12]! > 1) return { ok: false, problem: 'corrupt', reason: 'the IHDR chunk holds impossible values' };
      if (width * height > maxPixels) return { ok: false, problem: 'too-large', reason: `it is ${width}x${height} pixels` };
      header = { width, height, bpp: depth * CHANNELS[colour]!, interlaced: data[12] === 1 };
    } else if (type === 'IDAT') {
      if (idatDone) return { ok: false, problem: 'corrupt', reason: 'its image data (IDAT) is split by other chunks' };
      idat.push(data);
    } else {
      if (idat.length) idatDone = true;
      if (type === 'IEND') {
        sawEnd = true;
        offset = end;
        break;
      }
    }
    offset = end;
  }
  if (!sawEnd) return { ok: false, problem: 'truncated', reason: 'the PNG has no end chunk (IEND)' };
  if (!header || idat.length === 0) return { ok: false, problem: 'corrupt', reason: 'the PNG has no image data (IDAT)' };
  const expected = expectedRawBytes(header.width, header.height, header.bpp, header.interlaced);
  let raw: Buffer;
  try {
    raw = await inflate(Buffer.concat(idat), { maxOutputLength: expected + 1 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, problem: 'corrupt', reason: 'its image data inflates to more than its header announces' };
    if (code === 'Z_BUF_ERROR') return { ok: false, problem: 'truncated', reason: 'its image data stops early' };
    return { ok: false, problem: 'corrupt', reason: 'its image data cannot be decompressed' };
  }
  if (raw.length !== expected) return { ok: false, problem: raw.length < expected ? 'truncated' : 'corrupt', reason: `its image data holds ${raw.length} of the ${expected} bytes its header announces` };
  return { ok: true, width: header.width, height: header.height };
}
