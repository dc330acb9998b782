/**
 * Bar numbers in marker files (issue 22): downbeats export as markers named `Bar 12` (CSV name, FCPXML marker
 * value, Audacity label) and come back as downbeats of the same bars; other beats and old files are unchanged.
 */
import { describe, expect, it } from 'vitest';
import type { BeatMarker } from '../../../electron/shared/domain/project';
import { Project } from '../../../electron/shared/domain/project';
import { MARKER_FORMATS, parseMarkers, serializeMarkers } from '../../../electron/shared/domain/markers/index';
import { splitCsv } from '../../../electron/shared/domain/markers/csv';

const beats: BeatMarker[] = [
  { id: 'p', timeSec: 0.25, source: 'detected', anchored: false }, // pick-up
  { id: 'a', timeSec: 0.5, source: 'detected', anchored: false, bar: 1 },
  { id: 'b', timeSec: 1, source: 'detected', anchored: false },
  { id: 'c', timeSec: 1.5, source: 'user', anchored: true, bar: 2 },
  { id: 'd', timeSec: 2, source: 'detected', anchored: false },
  { id: 'e', timeSec: 2.5, source: 'detected', anchored: true, bar: 12 },
];
const opts = { fps: 25, durationSec: 10, name: 'bars' };
const strip = (list: readonly { timeSec: number; source: string; anchored: boolean; bar?: number }[]) => list.map(({ timeSec, source, anchored, bar }) => ({ timeSec, source, anchored, bar }));

describe('bar numbers in marker files', () => {
  for (const format of MARKER_FORMATS) {
    it(`${format}: export then import keeps each downbeat's bar, the flags and the times`, () => {
      const text = serializeMarkers(format, beats, opts);
      expect(strip(parseMarkers(format, text, { fps: opts.fps }))).toEqual(strip(beats));
    });
  }

  it('CSV names downbeats "Bar N" and the other beats "Beat N"', () => {
    const rows = splitCsv(serializeMarkers('csv', beats, opts));
    expect(rows.slice(1).map((r) => r[0])).toEqual(['Beat 1', 'Bar 1', 'Beat 3', 'Bar 2', 'Beat 5', 'Bar 12']);
    expect(rows[4]![4]).toBe('user anchored');
  });

  it('FCPXML names downbeat markers "Bar N" with the flags in the note', () => {
    const xml = serializeMarkers('fcpxml', beats, opts);
    expect(xml).toContain('value="Bar 12" note="detected anchored"');
    expect(xml).toContain('value="Bar 1" note="detected"');
    expect(xml).not.toMatch(/value="Bar 3"/);
  });

  it('reads "Bar N" markers another editor wrote (no flags: user beats)', () => {
    const csv = 'Name,Start\r\nBar 7,1.0\r\nsomething,1.5\r\nbar 8,2.0\r\n';
    expect(strip(parseMarkers('csv', csv, { fps: 25 }))).toEqual([
      { timeSec: 1, source: 'user', anchored: false, bar: 7 },
      { timeSec: 1.5, source: 'user', anchored: false, bar: undefined },
      { timeSec: 2, source: 'user', anchored: false, bar: 8 },
    ]);
    // Words that merely contain "bar", and bar 0, are not bar numbers.
    expect(parseMarkers('audacity', '1\t1\tcrowbar 5\n2\t2\tBar 0\n', { fps: 25 }).map((r) => r.bar)).toEqual([undefined, undefined]);
  });

  it('a project without bars (older files) still loads; a bad bar number is refused', () => {
    const base = {
      version: 2, id: 'project-1234', createdAt: '2026-01-01T00:00:00.000Z', saved: { seq: 1, savedAt: '2026-01-01T00:00:00.000Z', kind: 'save', appVersion: '0.1.0' },
      name: 'x', song: null, referenceImage: null, segments: [], fps: 12, framesPerSegment: 48,
    };
    expect(Project.safeParse({ ...base, beats: [{ id: 'a', timeSec: 1, source: 'detected', anchored: false }] }).success).toBe(true);
    expect(Project.safeParse({ ...base, beats: [{ id: 'a', timeSec: 1, source: 'detected', anchored: false, bar: 3 }] }).success).toBe(true);
    expect(Project.safeParse({ ...base, beats: [{ id: 'a', timeSec: 1, source: 'detected', anchored: false, bar: 0 }] }).success).toBe(false);
    expect(Project.safeParse({ ...base, beats: [{ id: 'a', timeSec: 1, source: 'detected', anchored: false, bar: 1.5 }] }).success).toBe(false);
  });
});
