/**
 * Audacity label track (File > Export > Labels): one label per line, `start<TAB>end<TAB>text`, seconds.
 * Lines starting with `\` carry a spectral selection for the label above and are skipped.
 */
import { badFile, checkSize, checkTime, finish, flagsFromLabel, labelFor, secText, type MarkerRecord } from './marker-record';

export function serializeAudacity(records: readonly MarkerRecord[]): string {
  return records.map((r, i) => `${secText(r.timeSec)}\t${secText(r.timeSec)}\t${labelFor(r, i)}\n`).join('');
}

export function parseAudacity(text: string, maxMarkers: number): MarkerRecord[] {
  checkSize(text, maxMarkers);
  const records: MarkerRecord[] = [];
  // Plain '\n' split (a regex split of a million line breaks is several times slower), '\r' dropped per line.
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, i) => {
    if (raw.length === 0) return;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.trim() || line.startsWith('\\')) return;
    const where = `Line ${i + 1}`;
    // start<TAB>end[<TAB>label]: found with indexOf (a line of a million tabs is not split into a million fields).
    const tab1 = line.indexOf('\t');
    if (tab1 < 0) throw badFile(`${where}: expected "start<TAB>end<TAB>label" (Audacity label track).`);
    const tab2 = line.indexOf('\t', tab1 + 1);
    const start = checkTime(Number(line.slice(0, tab1).trim() || NaN), where);
    const end = checkTime(Number(line.slice(tab1 + 1, tab2 < 0 ? line.length : tab2).trim() || NaN), where);
    if (end < start) throw badFile(`${where}: the label ends (${end}) before it starts (${start}).`);
    if (records.length >= maxMarkers) throw badFile(`The file has more than ${maxMarkers} labels.`);
    records.push({ timeSec: start, ...flagsFromLabel(tab2 < 0 ? '' : line.slice(tab2 + 1)) });
  });
  return finish(records, maxMarkers, 'Audacity label');
}
