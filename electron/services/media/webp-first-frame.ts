/**
 * Animated WebP as a reference image: the studio's ffmpeg decodes only still WebP, so the first frame of an
 * animation is taken out here and rewrapped as a still WebP (its ALPH + VP8, or VP8L, bitstream untouched).
 * What the reference image of an animated WebP means: its FIRST frame, placed at that frame's offset on the
 * animation's canvas (transparent around it, flattened onto white like any transparency).
 */

export interface WebpFirstFrame {
  /** A still WebP file holding the first frame. */
  still: Buffer;
  canvasWidth: number;
  canvasHeight: number;
  x: number;
  y: number;
  width: number;
  height: number;
  frames: number;
}

const u24 = (b: Buffer, o: number) => b.readUIntLE(o, 3);

function chunk(id: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, data.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function riff(chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

/** Sub-chunks of `buf` from `start` to `end`: id, data. Stops at the first one that does not fit. */
function* chunks(buf: Buffer, start: number, end: number): Generator<{ id: string; data: Buffer }> {
  let o = start;
  while (o + 8 <= end) {
    const size = buf.readUInt32LE(o + 4);
    if (o + 8 + size > end) return;
    yield { id: buf.toString('latin1', o, o + 4), data: buf.subarray(o + 8, o + 8 + size) };
    o += 8 + size + (size & 1);
  }
}

/** True for a RIFF WebP whose VP8X header has the animation flag. */
export function isAnimatedWebp(head: Buffer): boolean {
  return head.length >= 21 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 16) === 'WEBPVP8X' && (head[20]! & 0x02) !== 0;
}

/** The first frame of an animated WebP, or null when the file holds no usable frame. */
export function webpFirstFrame(file: Buffer): WebpFirstFrame | null {
  if (!isAnimatedWebp(file)) return null;
  const end = Math.min(file.length, 8 + file.readUInt32LE(4));
  let canvasWidth = 0;
  let canvasHeight = 0;
  let first: WebpFirstFrame | null = null;
  let frames = 0;
  for (const c of chunks(file, 12, end)) {
    if (c.id === 'VP8X' && c.data.length >= 10) {
      canvasWidth = 1 + u24(c.data, 4);
      canvasHeight = 1 + u24(c.data, 7);
    } else if (c.id === 'ANMF' && c.data.length >= 16) {
      frames++;
      if (first) continue;
      const x = 2 * u24(c.data, 0);
      const y = 2 * u24(c.data, 3);
      const width = 1 + u24(c.data, 6);
      const height = 1 + u24(c.data, 9);
      let alpha: Buffer | null = null;
      let still: Buffer | null = null;
      for (const sub of chunks(c.data, 16, c.data.length)) {
        if (sub.id === 'ALPH') alpha = sub.data;
        else if (sub.id === 'VP8L') still = riff([chunk('VP8L', sub.data)]);
        else if (sub.id === 'VP8 ') {
          if (alpha) {
            const vp8x = Buffer.alloc(10);
            vp8x[0] = 0x10; // alpha
            vp8x.writeUIntLE(width - 1, 4, 3);
            vp8x.writeUIntLE(height - 1, 7, 3);
            still = riff([chunk('VP8X', vp8x), chunk('ALPH', alpha), chunk('VP8 ', sub.data)]);
          } else still = riff([chunk('VP8 ', sub.data)]);
        }
        if (still) break;
      }
      if (!still) return null;
      first = { still, canvasWidth, canvasHeight, x, y, width, height, frames: 0 };
    }
  }
  if (!first || !canvasWidth || !canvasHeight || first.x + first.width > canvasWidth || first.y + first.height > canvasHeight) return null;
  return { ...first, canvasWidth, canvasHeight, frames };
}
