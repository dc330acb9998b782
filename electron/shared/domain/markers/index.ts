/**
 * Beat markers to and from other editors' files: Audacity label tracks, CSV (Premiere-style), FCPXML.
 * Pure and dependency-free (renderer, CLI and services share it). Parsers throw StudioError MARKERS_BAD_FILE.
 */
import { MAX_BEATS, type BeatMarker } from '../project';
import { parseAudacity, serializeAudacity } from './audacity';
import { parseCsv, serializeCsv } from './csv';
import { parseFcpxml, serializeFcpxml } from './fcpxml';
import { badFile, type MarkerRecord } from './marker-record';

export { MARKERS_BAD_FILE, type MarkerRecord } from './marker-record';
export { formatTimecode, parseTimecode, TIMECODE_RATES } from './timecode';

export const MARKER_FORMATS = ['audacity', 'csv', 'fcpxml'] as const;
export type MarkerFormat = (typeof MARKER_FORMATS)[number];

export const MARKER_FORMAT_INFO: Record<MarkerFormat, { label: string; extension: string; mime: string }> = {
  audacity: { label: 'Audacity label track', extension: 'txt', mime: 'text/plain' },
  csv: { label: 'CSV markers (Premiere-style)', extension: 'csv', mime: 'text/csv' },
  fcpxml: { label: 'Final Cut Pro XML markers', extension: 'fcpxml', mime: 'application/xml' },
};

export interface MarkerExportOptions {
  /** Frame rate of the timecodes (CSV) and frame duration (FCPXML). */
  fps: number;
  durationSec: number;
  name: string;
}

export function serializeMarkers(format: MarkerFormat, beats: readonly BeatMarker[], opts: MarkerExportOptions): string {
  const records = [...beats].sort((a, b) => a.timeSec - b.timeSec).map((b) => ({ timeSec: b.timeSec, source: b.source, anchored: b.anchored, ...(b.bar !== undefined ? { bar: b.bar } : {}) }));
  if (format === 'audacity') return serializeAudacity(records);
  if (format === 'csv') return serializeCsv(records, opts.fps);
  return serializeFcpxml(records, opts);
}

export function parseMarkers(format: MarkerFormat, text: string, opts: { fps: number; maxMarkers?: number }): MarkerRecord[] {
  const max = opts.maxMarkers ?? MAX_BEATS;
  if (format === 'audacity') return parseAudacity(text, max);
  if (format === 'csv') return parseCsv(text, opts.fps, max);
  return parseFcpxml(text, max);
}

/** Format from a file name's extension, falling back to sniffing the content. */
export function detectMarkerFormat(fileName: string, text: string): MarkerFormat {
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  if (ext === 'fcpxml' || ext === 'xml') return 'fcpxml';
  if (ext === 'csv') return 'csv';
  if (ext === 'txt' || ext === 'labels') return 'audacity';
  const head = text.slice(0, 2000).replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<')) return 'fcpxml';
  const first = head.split(/\r?\n/)[0] ?? '';
  if (/^-?[\d.]+\t/.test(first)) return 'audacity';
  if (first.includes(',')) return 'csv';
  throw badFile(`Cannot tell the marker format of "${fileName}": use .txt (Audacity), .csv or .fcpxml.`);
}
