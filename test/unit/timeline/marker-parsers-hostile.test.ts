/**
 * Issue 25, item 3: the marker parsers take time linear in the file, whatever the bytes. A 300,000-character
 * tag name used to make the FCPXML attribute regex backtrack for over a minute. Property tests feed random
 * bytes, random sizes and long tokens to every format: each answers (markers or a MARKERS_BAD_FILE error with
 * a short message) within a time bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MARKER_FORMATS, parseMarkers, detectMarkerFormat } from '../../../electron/shared/domain/markers/index';
import { StudioError } from '../../../electron/shared/result';

/** Markers or a named error; never anything else (a RangeError, a stack overflow, a hang). */
function outcome(format: (typeof MARKER_FORMATS)[number], text: string): { ok: boolean; ms: number } {
  const t0 = performance.now();
  try {
    parseMarkers(format, text, { fps: 25 });
    return { ok: true, ms: performance.now() - t0 };
  } catch (error) {
    expect(error).toBeInstanceOf(StudioError);
    expect((error as StudioError).code).toBe('MARKERS_BAD_FILE');
    expect((error as StudioError).message.length).toBeLessThan(600);
    return { ok: false, ms: performance.now() - t0 };
  }
}

const N = 300_000;
const hostileFcpxml: Record<string, string> = {
  'an attribute-less name of 300,000 characters': `<fcpxml version="1.10"><${'a'.repeat(N)}></fcpxml>`,
  'a name with a colon then 300,000 name characters': `<fcpxml><x:${'b'.repeat(N)}/></fcpxml>`,
  'a tag of 300,000 name characters after a space': `<fcpxml><gap ${'c'.repeat(N)}></gap></fcpxml>`,
  'a tag that never closes': `<fcpxml><marker start${'d'.repeat(N)}`,
  '100,000 comment openers': `<fcpxml>${'<!--'.repeat(100_000)}</fcpxml>`,
  '100,000 processing-instruction openers': `<fcpxml>${'<?'.repeat(150_000)}</fcpxml>`,
  '100,000 doctype openers': `<fcpxml>${'<!DOCTYPE'.repeat(100_000)}`,
  '100,000 unclosed attribute quotes': `<fcpxml><gap ${'a="'.repeat(100_000)}></gap></fcpxml>`,
  '300,000 opening brackets': `<fcpxml>${'<'.repeat(N)}</fcpxml>`,
  'equals signs without values': `<fcpxml><gap ${'a='.repeat(150_000)}></gap></fcpxml>`,
};

describe('FCPXML import is linear in the file (item 3)', () => {
  for (const [label, text] of Object.entries(hostileFcpxml)) {
    it(`${label}: answers in under a second`, () => {
      const { ms } = outcome('fcpxml', text);
      expect(ms).toBeLessThan(1000);
    });
  }

  it('still reads a marker after a long junk tag', () => {
    const text = `<fcpxml version="1.10"><${'a'.repeat(N)}/><gap offset="2s" start="0s"><marker start="1s" value="beat 1 detected"/></gap></fcpxml>`;
    expect(parseMarkers('fcpxml', text, { fps: 25 })).toEqual([{ timeSec: 3, source: 'detected', anchored: false }]);
  });
});

describe('marker parsers on arbitrary input (property tests)', () => {
  const longToken = fc.tuple(fc.constantFrom('a', '<', '"', ',', '\t', '=', '<!--', '<?', '0', ' ', '\n', 'x:'), fc.integer({ min: 1, max: 40_000 })).map(([t, n]) => t.repeat(n));
  const piece = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b).toString('utf8')),
    longToken,
    fc.constantFrom('<fcpxml>', '</fcpxml>', '<marker start="1s"/>', '<gap offset="1s" start="0s">', '</gap>', 'Name,Start\n', '1.5\t1.5\tbeat\n', '"', '\r\n'),
  );
  const document = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));

  it('every format answers with markers or MARKERS_BAD_FILE, quickly', () => {
    fc.assert(
      fc.property(document, fc.constantFrom(...MARKER_FORMATS), (text, format) => {
        expect(outcome(format, text).ms).toBeLessThan(1000);
      }),
      { numRuns: 150, seed: 25 },
    );
  });

  it('format detection never throws anything but MARKERS_BAD_FILE', () => {
    fc.assert(
      fc.property(document, fc.constantFrom('x.txt', 'x.csv', 'x.fcpxml', 'x.bin', 'noext'), (text, name) => {
        try {
          expect(MARKER_FORMATS).toContain(detectMarkerFormat(name, text));
        } catch (error) {
          expect((error as StudioError).code).toBe('MARKERS_BAD_FILE');
        }
      }),
      { numRuns: 200, seed: 26 },
    );
  });

  it('1 MB of any bytes in any format: under a second', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 256, maxLength: 256 }), fc.constantFrom(...MARKER_FORMATS), (seed, format) => {
        // 1 MB built from a random 256-byte pattern (random tokens repeated, the worst case for backtracking).
        const text = Buffer.from(Buffer.alloc(1 << 20, Buffer.from(seed))).toString('latin1');
        expect(outcome(format, text).ms).toBeLessThan(1000);
      }),
      { numRuns: 12, seed: 27 },
    );
  });
});
