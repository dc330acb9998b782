/**
 * What marker files carry between MuseDance and other editors: a time, a label, and the two beat flags the
 * studio needs to round-trip (detected vs user, anchored). Parsers throw `StudioError('MARKERS_BAD_FILE', ...)`
 * with the line or element at fault, so a user knows what to fix.
 */
import { StudioError } from '../../result';
import type { BeatMarker } from '../project';

export const MARKERS_BAD_FILE = 'MARKERS_BAD_FILE';
/** Marker files bigger than this are refused before parsing (a beat file of a 3-hour song is ~1 MB). */
export const MAX_MARKER_FILE_CHARS = 8_000_000;
/** Longest song a marker may sit in (matches BeatMarker's bound). */
export const MAX_MARKER_TIME_SEC = 24 * 3600;

export interface MarkerRecord {
  timeSec: number;
  source: BeatMarker['source'];
  anchored: boolean;
}

export const badFile = (message: string): StudioError => new StudioError(MARKERS_BAD_FILE, message);

/** Label text that names a beat's flags, e.g. `beat 3 user anchored`; other tools' labels read as user beats. */
export function labelFor(record: MarkerRecord, index: number): string {
  return `beat ${index + 1} ${record.source}${record.anchored ? ' anchored' : ''}`;
}

export function flagsFromLabel(label: string): Pick<MarkerRecord, 'source' | 'anchored'> {
  const words = label.toLowerCase().split(/[^a-z]+/);
  return { source: words.includes('detected') ? 'detected' : 'user', anchored: words.includes('anchored') };
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
