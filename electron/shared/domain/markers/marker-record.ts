/**
 * What marker files carry between MuseDance and other editors: a time, a label, and the two beat flags the
 * studio needs to round-trip (detected vs user, anchored). Parsers throw `StudioError('MARKERS_BAD_FILE', ...)`
 * with the line or element at fault, so a user knows what to fix.
 */
import { StudioError } from '../../result';
import { MAX_BAR_NUMBER, type BeatMarker } from '../project';

export const MARKERS_BAD_FILE = 'MARKERS_BAD_FILE';
/** Marker files bigger than this are refused before parsing (a beat file of a 3-hour song is ~1 MB). */
export const MAX_MARKER_FILE_CHARS = 8_000_000;
/** Longest song a marker may sit in (matches BeatMarker's bound). */
export const MAX_MARKER_TIME_SEC = 24 * 3600;

export interface MarkerRecord {
  timeSec: number;
  source: BeatMarker['source'];
  anchored: boolean;
  /** A downbeat: the bar it starts (written and read as the marker name `Bar 12`). */
  bar?: number;
}

export const badFile = (message: string): StudioError => new StudioError(MARKERS_BAD_FILE, message);

/** Marker name of a beat: `Bar 12` on a downbeat, else `Beat 7` (its place in the list). */
export const markerName = (record: MarkerRecord, index: number): string => (record.bar !== undefined ? `Bar ${record.bar}` : `Beat ${index + 1}`);

/** The flags as words: `detected`, `user anchored`. */
export const flagWords = (record: MarkerRecord): string => `${record.source}${record.anchored ? ' anchored' : ''}`;

/** Label text that names a beat's flags, e.g. `beat 3 user anchored` or `Bar 12 detected`; other tools' labels read as user beats. */
export function labelFor(record: MarkerRecord, index: number): string {
  return record.bar !== undefined ? `Bar ${record.bar} ${flagWords(record)}` : `beat ${index + 1} ${flagWords(record)}`;
}

/** The bar number in a marker name or label (`Bar 12`, `bar 12 detected`), or undefined. */
export function barFromLabel(label: string): number | undefined {
  const m = /(?:^|[^a-z])bar\s*(\d{1,7})(?!\d)/i.exec(label.slice(0, 200));
  if (!m) return undefined;
  const bar = Number(m[1]);
  return bar >= 1 && bar <= MAX_BAR_NUMBER ? bar : undefined;
}

export function flagsFromLabel(label: string): Pick<MarkerRecord, 'source' | 'anchored' | 'bar'> {
  const words = label.toLowerCase().split(/[^a-z]+/);
  const bar = barFromLabel(label);
  return { source: words.includes('detected') ? 'detected' : 'user', anchored: words.includes('anchored'), ...(bar !== undefined ? { bar } : {}) };
}

export function checkTime(timeSec: number, where: string): number {
  if (!Number.isFinite(timeSec)) throw badFile(`${where}: the time is not a number.`);
  if (timeSec < 0) throw badFile(`${where}: the time ${timeSec} is negative.`);
  if (timeSec > MAX_MARKER_TIME_SEC) throw badFile(`${where}: the time ${timeSec} s is past 24 hours.`);
  return timeSec;
}

export function checkSize(text: string, maxMarkers: number): void {
  if (text.length > MAX_MARKER_FILE_CHARS) throw badFile(`The file is too large (${text.length} characters; at most ${MAX_MARKER_FILE_CHARS}).`);
  if (text.includes('\0')) throw badFile('The file is binary, not a text marker file.');
  void maxMarkers;
}

/** Sorted by time; an empty result is an error because importing nothing would silently wipe the beats. */
export function finish(records: MarkerRecord[], maxMarkers: number, formatName: string): MarkerRecord[] {
  if (records.length === 0) throw badFile(`No markers found in this ${formatName} file.`);
  if (records.length > maxMarkers) throw badFile(`The file has ${records.length} markers; at most ${maxMarkers} are allowed.`);
  return [...records].sort((a, b) => a.timeSec - b.timeSec);
}

/** Seconds printed with microsecond precision: enough to round-trip a beat exactly as the studio stores it. */
export const secText = (timeSec: number): string => (Math.round(timeSec * 1e6) / 1e6).toFixed(6);
