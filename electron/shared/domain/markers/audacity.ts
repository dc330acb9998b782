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
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim() || line.startsWith('\\')) return;
    const where = `Line ${i + 1}`;
    const fields = line.split('\t');
    if (fields.length < 2) throw badFile(`${where}: expected "start<TAB>end<TAB>label" (Audacity label track).`);
    const start = checkTime(Number(fields[0]!.trim() || NaN), where);
    const end = checkTime(Number(fields[1]!.trim() || NaN), where);
    if (end < start) throw badFile(`${where}: the label ends (${end}) before it starts (${start}).`);
    if (records.length >= maxMarkers) throw badFile(`The file has more than ${maxMarkers} labels.`);
    records.push({ timeSec: start, ...flagsFromLabel(fields.slice(2).join('\t')) });
  });
  return finish(records, maxMarkers, 'Audacity label');
}
