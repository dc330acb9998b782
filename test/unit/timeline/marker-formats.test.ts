import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { BeatMarker } from '../../../electron/shared/domain/project';
import { MARKER_FORMATS, detectMarkerFormat, formatTimecode, parseMarkers, parseTimecode, serializeMarkers } from '../../../electron/shared/domain/markers/index';
import { StudioError } from '../../../electron/shared/result';

const beats: BeatMarker[] = [
  { id: 'a', timeSec: 0.5, source: 'detected', anchored: false },
  { id: 'b', timeSec: 1.023456, source: 'user', anchored: true },
  { id: 'c', timeSec: 61.75, source: 'user', anchored: false },
  { id: 'd', timeSec: 3725.125, source: 'detected', anchored: true },
];
const opts = { fps: 24, durationSec: 3800, name: 'My "dance" & co' };
const strip = (b: BeatMarker[]) => b.map(({ timeSec, source, anchored }) => ({ timeSec, source, anchored }));

const badFile = (fn: () => unknown, message: RegExp) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StudioError);
    expect((e as StudioError).code).toBe('MARKERS_BAD_FILE');
    expect((e as StudioError).message).toMatch(message);
    return;
  }
  throw new Error('expected a MARKERS_BAD_FILE error');
};

describe('marker interop', () => {
  for (const format of MARKER_FORMATS) {
    it(`${format}: export then import gives the same beats (times, detected/user, anchored)`, () => {
      const text = serializeMarkers(format, beats, opts);
      expect(parseMarkers(format, text, { fps: 24 })).toEqual(strip(beats));
      expect(detectMarkerFormat(`beats.${format === 'audacity' ? 'txt' : format}`, text)).toBe(format);
      expect(detectMarkerFormat('pasted', text)).toBe(format);
    });

    it(`${format}: round-trips any beat list exactly to the microsecond (property)`, () => {
      const arb = fc.array(fc.record({ t: fc.integer({ min: 0, max: 86_400_000_000 }), user: fc.boolean(), anchored: fc.boolean() }), { minLength: 1, maxLength: 30 });
      fc.assert(
        fc.property(arb, (rows) => {
          const list: BeatMarker[] = rows.map((r, i) => ({ id: `x${i}`, timeSec: r.t / 1e6, source: r.user ? 'user' : 'detected', anchored: r.anchored }));
          const back = parseMarkers(format, serializeMarkers(format, list, opts), { fps: 24 });
          const want = strip([...list].sort((a, b) => a.timeSec - b.timeSec));
          expect(back.map((r) => r.timeSec)).toEqual(want.map((r) => r.timeSec));
          expect(back.map((r) => `${r.source}${r.anchored}`).sort()).toEqual(want.map((r) => `${r.source}${r.anchored}`).sort());
        }),
        { numRuns: 60 },
      );
    });
  }

  it('CSV carries Premiere-style name, start, duration and timecode at the chosen rate', () => {
    const text = serializeMarkers('csv', beats, { ...opts, fps: 25 });
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe('Name,Start,Duration,Timecode,Description');
    expect(lines[3]).toBe('Beat 3,61.750000,0.000000,00:01:01:18,user');
    expect(lines[4]).toContain('01:02:05:03');
  });

  it('reads markers from other tools: Audacity labels with spectral lines, CSV with only timecodes, FCPXML inside clips', () => {
    expect(parseMarkers('audacity', '1.5\t1.5\tVerse\n\\\t100\t2000\n2.25\t3\tChorus\n', { fps: 24 })).toEqual([
      { timeSec: 1.5, source: 'user', anchored: false },
      { timeSec: 2.25, source: 'user', anchored: false },
    ]);
    const premiere = 'Marker Name,Description,In,Out,Duration,Marker Type\n"Drop, big",,00:00:02:12,00:00:02:12,00:00:00:00,Comment\n';
    expect(parseMarkers('csv', premiere, { fps: 24 })).toEqual([{ timeSec: 2.5, source: 'user', anchored: false }]);
    const fcp = `<?xml version="1.0"?><fcpxml version="1.9"><library><event><project><sequence><spine>
      <asset-clip offset="10s" start="3600s" duration="20s"><marker start="3605s" duration="1/24s" value="Hit"/></asset-clip>
      <gap offset="30s" start="0s" duration="5s"><chapter-marker start="2002/1000s" value="Ch"/></gap>
    </spine></sequence></project></event></library></fcpxml>`;
    expect(parseMarkers('fcpxml', fcp, { fps: 24 }).map((r) => r.timeSec)).toEqual([15, 32.002]);
  });

  it('timecodes: format and parse at 24, 25 and 29.97 (non-drop)', () => {
    expect(formatTimecode(3661.5, 24)).toBe('01:01:01:12');
    expect(parseTimecode('01:01:01:12', 24, 'x')).toBe(3661.5);
    expect(formatTimecode(1.04, 25)).toBe('00:00:01:01');
    expect(formatTimecode(10, 29.97)).toBe('00:00:10:00');
  });

  it('bad files give a clear MARKERS_BAD_FILE error naming the problem, never a crash or a partial import', () => {
    badFile(() => parseMarkers('audacity', '1.0\t1.0\tok\nabc\t2\tbad\n', { fps: 24 }), /Line 2: the time is not a number/);
    badFile(() => parseMarkers('audacity', '3\t2\tbackwards\n', { fps: 24 }), /ends .* before it starts/);
    badFile(() => parseMarkers('audacity', '-1\t0\tneg\n', { fps: 24 }), /negative/);
    badFile(() => parseMarkers('audacity', '\n\n', { fps: 24 }), /No markers found/);
    badFile(() => parseMarkers('csv', 'Foo,Bar\n1,2\n', { fps: 24 }), /no "Start"/);
    badFile(() => parseMarkers('csv', 'Name,Start\nx,"1.0\n', { fps: 24 }), /never closed/);
    badFile(() => parseMarkers('csv', 'Name,Timecode\nx,00:00:01:30\n', { fps: 24 }), /not a valid timecode at 24 fps/);
    badFile(() => parseMarkers('csv', 'Name,Start\nx,1e99\n', { fps: 24 }), /past 24 hours/);
    badFile(() => parseMarkers('fcpxml', '<xml><marker start="1s"/></xml>', { fps: 24 }), /not an FCPXML file/);
    badFile(() => parseMarkers('fcpxml', '<fcpxml><library><marker start="1s"/>', { fps: 24 }), /truncated/);
    badFile(() => parseMarkers('fcpxml', '<fcpxml><marker start="abc"/></fcpxml>', { fps: 24 }), /not an FCPXML time/);
    badFile(() => parseMarkers('fcpxml', '<fcpxml><marker start="1/0s"/></fcpxml>', { fps: 24 }), /divides by zero/);
    badFile(() => parseMarkers('fcpxml', `<fcpxml>${'<a>'.repeat(100)}`, { fps: 24 }), /nested too deeply/);
    badFile(() => parseMarkers('audacity', '1\t1\tx\n'.repeat(20), { fps: 24, maxMarkers: 10 }), /more than 10/);
    badFile(() => parseMarkers('audacity', 'x'.repeat(9_000_000), { fps: 24 }), /too large/);
    badFile(() => parseMarkers('audacity', '1\t1\0\n', { fps: 24 }), /binary/);
    badFile(() => detectMarkerFormat('song.mp3', 'ID3\u0003garbage'), /Cannot tell the marker format/);
  });
});
