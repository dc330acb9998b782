/**
 * Reads image dimensions and container sizes straight from file headers, before ffmpeg decodes anything:
 * a 50 000 x 50 000 PNG compresses to a few hundred KB but would need gigabytes once decoded, so its size
 * must be known from the header. Also spots truncation that ffprobe does not report (a WAV or WebP whose
 * RIFF sizes run past the end of the file, a PNG without IEND, a JPEG without EOI, an MP4 whose last box
 * is cut short).
 */
import { openRegularFile } from '../util/safe-open';
import { MediaErrorCodes } from '../../shared/domain/media';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp';

export interface Sniffed {
  /** Stored (coded) size; `orientation` is the JPEG EXIF orientation 1..8 (1 = as stored). */
  image: { format: ImageFormat; width: number; height: number; orientation?: number; animated?: boolean } | null;
  /** Container recognised from its signature (used to tell "truncated" from "not media" when ffprobe fails). */
  container: 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp' | 'riff-wave' | 'isobmff' | 'ebml' | 'ogg' | 'flac' | null;
  /** Why the file is cut short, when the structure says so. */
  truncated: string | null;
}

/** Bytes read from the start of the file: enough for every header below (JPEG SOF can follow large EXIF). */
const HEAD_BYTES = 512 * 1024;
/** Bytes read from the end: PNG IEND and JPEG EOI live in the last few bytes (JPEG may have trailing padding). */
const TAIL_BYTES = 64;
/** RIFF writers streaming to a pipe leave these sizes unset; not a truncation. */
const RIFF_UNKNOWN_SIZES = new Set([0, 0xffffffff]);

export async function sniffFile(file: string, sizeBytes: number): Promise<Sniffed> {
  // Regular files only (a FIFO would block the open): the safe opener checks before opening.
  const { handle } = await openRegularFile(file, { codes: { notFound: MediaErrorCodes.notFound, unreadable: MediaErrorCodes.notFound, notAFile: MediaErrorCodes.notMedia } });
  try {
    const head = Buffer.alloc(Math.min(HEAD_BYTES, sizeBytes));
    await handle.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(TAIL_BYTES, sizeBytes));
    await handle.read(tail, 0, tail.length, sizeBytes - tail.length);
    return sniffBuffers(head, tail, sizeBytes);
  } finally {
    await handle.close();
  }
}

export function sniffBuffers(head: Buffer, tail: Buffer, sizeBytes: number): Sniffed {
  const none: Sniffed = { image: null, container: null, truncated: null };
  if (head.length >= 24 && head.readUInt32BE(0) === 0x89504e47 && head.readUInt32BE(4) === 0x0d0a1a0a) {
    const width = head.readUInt32BE(16);
    const height = head.readUInt32BE(20);
    const hasIend = tail.includes(Buffer.from('IEND'));
    return { image: { format: 'png', width, height }, container: 'png', truncated: hasIend ? null : 'the PNG has no end chunk (IEND)' };
  }
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
    const dims = jpegDimensions(head);
    const hasEoi = tail.includes(Buffer.from([0xff, 0xd9]));
    return { image: dims ? { format: 'jpeg', ...dims, orientation: jpegOrientation(head) } : null, container: 'jpeg', truncated: hasEoi ? null : 'the JPEG has no end marker (EOI)' };
  }
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF') {
    const riffSize = head.readUInt32LE(4);
    const form = head.toString('latin1', 8, 12);
    const riffTruncated = !RIFF_UNKNOWN_SIZES.has(riffSize) && riffSize + 8 > sizeBytes;
    if (form === 'WEBP') {
      return {
        image: webpDimensions(head),
        container: 'webp',
        truncated: riffTruncated ? `the WebP says ${riffSize + 8} bytes but the file has ${sizeBytes}` : null,
      };
    }
    if (form === 'WAVE') {
      return { image: null, container: 'riff-wave', truncated: riffTruncated || wavDataTruncated(head, sizeBytes) ? `the WAV header announces more audio than the file holds (${sizeBytes} bytes)` : null };
    }
    return none;
  }
  if (head.length >= 10 && (head.toString('latin1', 0, 6) === 'GIF87a' || head.toString('latin1', 0, 6) === 'GIF89a')) {
    return { image: { format: 'gif', width: head.readUInt16LE(6), height: head.readUInt16LE(8) }, container: 'gif', truncated: null };
  }
  if (head.length >= 26 && head.toString('latin1', 0, 2) === 'BM') {
    return { image: { format: 'bmp', width: Math.abs(head.readInt32LE(18)), height: Math.abs(head.readInt32LE(22)) }, container: 'bmp', truncated: null };
  }
  if (head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp') {
    return { image: null, container: 'isobmff', truncated: isobmffTruncated(head, sizeBytes) };
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return { ...none, container: 'ebml' };
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'OggS') return { ...none, container: 'ogg' };
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'fLaC') return { ...none, container: 'flac' };
  return none;
}

/** Walks JPEG markers to the first start-of-frame and reads its height and width. */
function jpegDimensions(buf: Buffer): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < buf.length) {
    if (buf[i] !== 0xff) return null;
    const marker = buf[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    i += 2 + buf.readUInt16BE(i + 2);
  }
  return null;
}

/** EXIF orientation (tag 0x0112) from the JPEG's APP1 segment; 1 when absent or unreadable. */
function jpegOrientation(buf: Buffer): number {
  let i = 2;
  while (i + 4 < buf.length && buf[i] === 0xff) {
    const marker = buf[i + 1]!;
    const length = buf.readUInt16BE(i + 2);
    if (marker === 0xda || marker === 0xd9) break;
    if (marker === 0xe1 && buf.toString('latin1', i + 4, i + 10) === 'Exif\0\0') {
      const tiff = i + 10;
      if (tiff + 8 > buf.length) return 1;
      const little = buf.toString('latin1', tiff, tiff + 2) === 'II';
      const u16 = (o: number) => (little ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
      const u32 = (o: number) => (little ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
      const ifd = tiff + u32(tiff + 4);
      if (ifd + 2 > buf.length) return 1;
      const entries = u16(ifd);
      for (let e = 0; e < entries; e++) {
        const entry = ifd + 2 + e * 12;
        if (entry + 12 > buf.length) return 1;
        if (u16(entry) === 0x0112) {
          const value = u16(entry + 8);
          return value >= 1 && value <= 8 ? value : 1;
        }
      }
      return 1;
    }
    i += 2 + length;
  }
  return 1;
}

/** EXIF orientations 5..8 turn the picture a quarter: its displayed width is the stored height. */
export const swapsSides = (orientation: number | undefined) => (orientation ?? 1) >= 5;

/** ffmpeg filters that show a picture stored with EXIF `orientation` upright (used with `-noautorotate`, so every ffmpeg version agrees). */
export function orientationFilters(orientation: number | undefined): string[] {
  switch (orientation) {
    case 2: return ['hflip'];
    case 3: return ['hflip', 'vflip'];
    case 4: return ['vflip'];
    case 5: return ['transpose=cclock_flip'];
    case 6: return ['transpose=clock'];
    case 7: return ['transpose=clock_flip'];
    case 8: return ['transpose=cclock'];
    default: return [];
  }
}

function webpDimensions(buf: Buffer): Sniffed['image'] {
  if (buf.length < 30) return null;
  const chunk = buf.toString('latin1', 12, 16);
  if (chunk === 'VP8X') return { format: 'webp', width: 1 + buf.readUIntLE(24, 3), height: 1 + buf.readUIntLE(27, 3), animated: (buf[20]! & 0x02) !== 0 };
  if (chunk === 'VP8L') {
    const bits = buf.readUInt32LE(21);
    return { format: 'webp', width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ') return { format: 'webp', width: buf.readUInt16LE(26) & 0x3fff, height: buf.readUInt16LE(28) & 0x3fff };
  return null;
}

/** True when the WAV's data chunk (found in the head) claims more bytes than remain in the file. */
function wavDataTruncated(head: Buffer, sizeBytes: number): boolean {
  let i = 12;
  while (i + 8 <= head.length) {
    const id = head.toString('latin1', i, i + 4);
    const size = head.readUInt32LE(i + 4);
    if (id === 'data') return !RIFF_UNKNOWN_SIZES.has(size) && i + 8 + size > sizeBytes;
    i += 8 + size + (size & 1);
  }
  return false;
}

/** Walks top-level ISO-BMFF boxes found in the head; a box running past the end of the file means truncation. */
function isobmffTruncated(head: Buffer, sizeBytes: number): string | null {
  let offset = 0;
  while (offset + 8 <= head.length) {
    let size = head.readUInt32BE(offset);
    if (size === 1) {
      if (offset + 16 > head.length) return null;
      size = Number(head.readBigUInt64BE(offset + 8));
    } else if (size === 0) {
      return null; // box extends to end of file
    }
    if (size < 8) return 'the MP4 structure is damaged';
    if (offset + size > sizeBytes) return `the MP4 box "${head.toString('latin1', offset + 4, offset + 8)}" runs past the end of the file`;
    offset += size;
  }
  return null;
}
