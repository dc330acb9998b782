/**
 * CSV markers in the shape video editors exchange (Premiere's marker list): a header row, then
 * `Name,Start,Duration,Timecode,Description` with Start/Duration in seconds and the timecode at a chosen frame
 * rate. Import finds columns by header name; without a seconds column it reads the timecode (`In`) at `fps`.
 */
import { badFile, checkSize, checkTime, finish, flagsFromLabel, flagWords, markerName, secText, type MarkerRecord } from './marker-record';
import { formatTimecode, parseTimecode } from './timecode';

const HEADER = ['Name', 'Start', 'Duration', 'Timecode', 'Description'];
/** Marker CSVs have a handful of columns; a row with more is not one (and a million commas must not make a million fields). */
export const MAX_CSV_COLUMNS = 256;

const quote = (field: string) => (/[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);

export function serializeCsv(records: readonly MarkerRecord[], fps: number): string {
  const rows = records.map((r, i) => {
    return [markerName(r, i), secText(r.timeSec), secText(0), formatTimecode(r.timeSec, fps), flagWords(r)];
  });
  return [HEADER, ...rows].map((row) => row.map(quote).join(',')).join('\r\n') + '\r\n';
}

/**
 * RFC 4180 rows: quoted fields may hold commas, doubled quotes and line breaks. One pass that copies runs of
 * ordinary characters as slices (a megabyte of one token must not cost a megabyte of one-character appends).
 */
export function splitCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (quoted) {
      const q = text.indexOf('"', i);
      if (q < 0) {
        field += text.slice(i);
        i = n;
        break;
      }
      field += text.slice(i, q);
      // A run of k quotes: each pair is one literal quote; an odd one left over closes the field.
      let k = q;
      while (text.charCodeAt(k) === 34) k++;
      const run = k - q;
      field += '"'.repeat(run >> 1);
      if (run & 1) quoted = false;
      i = k;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === 34 /* " */ && field === '') {
      quoted = true;
      i++;
    } else if (c === 44 /* , */) {
      if (row.length >= MAX_CSV_COLUMNS) throw badFile(`Row ${rows.length + 1} has more than ${MAX_CSV_COLUMNS} columns: not a marker CSV.`);
      row.push(field);
      field = '';
      i++;
    } else if (c === 10 || c === 13) {
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      if (row.length === 0 && field === '') continue;
      row.push(field);
      // Blank rows are dropped as they end (a file of a million line breaks keeps no million arrays).
      if (row.length > 1 || row[0]!.trim() !== '' || row.some((f) => f.trim() !== '')) rows.push(row);
      row = [];
      field = '';
    } else {
      // A run of ordinary characters (a quote inside an unquoted field is ordinary).
      let j = i + 1;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d === 44 || d === 10 || d === 13) break;
      }
      field += text.slice(i, j);
      i = j;
    }
  }
  if (quoted) throw badFile('A quoted CSV field is never closed.');
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

const column = (header: string[], ...names: string[]) => header.findIndex((h) => names.includes(h.trim().toLowerCase()));

export function parseCsv(text: string, fps: number, maxMarkers: number): MarkerRecord[] {
  checkSize(text, maxMarkers);
  const rows = splitCsv(text.replace(/^\uFEFF/, ''));
  const header = rows[0];
  if (!header) throw badFile('The CSV file is empty.');
  const startCol = column(header, 'start', 'start (s)', 'start seconds', 'seconds');
  const tcCol = column(header, 'timecode', 'in');
  if (startCol < 0 && tcCol < 0) throw badFile('The CSV header has no "Start" (seconds) or "Timecode"/"In" column.');
  const noteCol = column(header, 'description', 'comment', 'marker type');
  const nameCol = column(header, 'name', 'marker name');
  if (rows.length - 1 > maxMarkers) throw badFile(`The file has ${rows.length - 1} markers; at most ${maxMarkers} are allowed.`);
  const records = rows.slice(1).map((row, i): MarkerRecord => {
    const where = `Row ${i + 2}`;
    const seconds = startCol >= 0 ? row[startCol]?.trim() : undefined;
    const timeSec = seconds ? checkTime(Number(seconds), where) : checkTime(parseTimecode(row[tcCol] ?? '', fps, where), where);
    const label = `${nameCol >= 0 ? row[nameCol] : ''} ${noteCol >= 0 ? row[noteCol] : ''}`;
    return { timeSec, ...flagsFromLabel(label) };
  });
  return finish(records, maxMarkers, 'CSV');
}
