/**
 * CSV markers in the shape video editors exchange (Premiere's marker list): a header row, then
 * `Name,Start,Duration,Timecode,Description` with Start/Duration in seconds and the timecode at a chosen frame
 * rate. Import finds columns by header name; without a seconds column it reads the timecode (`In`) at `fps`.
 */
import { badFile, checkSize, checkTime, finish, flagsFromLabel, flagWords, markerName, secText, type MarkerRecord } from './marker-record';
import { formatTimecode, parseTimecode } from './timecode';

const HEADER = ['Name', 'Start', 'Duration', 'Timecode', 'Description'];

const quote = (field: string) => (/[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);

export function serializeCsv(records: readonly MarkerRecord[], fps: number): string {
  const rows = records.map((r, i) => {
    return [markerName(r, i), secText(r.timeSec), secText(0), formatTimecode(r.timeSec, fps), flagWords(r)];
  });
  return [HEADER, ...rows].map((row) => row.map(quote).join(',')).join('\r\n') + '\r\n';
}

/** RFC 4180 rows: quoted fields may hold commas, doubled quotes and line breaks. */
export function splitCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
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
