/**
 * Final Cut Pro XML markers: a project whose spine holds one gap the song's length, with a `<marker>` per beat.
 * Import walks any FCPXML (markers inside clips too): a marker's timeline time is its clip's `offset` plus its
 * own `start` minus the clip's `start`, as FCP defines it. A small tag scanner, not a DOM, so it runs in Node too.
 */
import { badFile, checkSize, checkTime, finish, flagsFromLabel, flagWords, labelFor, markerName, type MarkerRecord } from './marker-record';

/** Rational seconds as FCPXML writes them: `0s`, `5s`, `1001/24000s`. */
export function parseFcpTime(text: string | undefined, where: string): number {
  if (text === undefined) return 0;
  const m = /^(-?\d+)(?:\/(\d+))?s$/.exec(text.trim());
  if (!m) throw badFile(`${where}: "${text.slice(0, 40)}" is not an FCPXML time (like "1001/24000s").`);
  const den = m[2] ? Number(m[2]) : 1;
  if (den === 0) throw badFile(`${where}: the time "${text}" divides by zero.`);
  return Number(m[1]) / den;
}

const fcpTime = (timeSec: number) => `${Math.round(timeSec * 1e6)}/1000000s`;
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const unescapeXml = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);

export function serializeFcpxml(records: readonly MarkerRecord[], opts: { fps: number; durationSec: number; name: string }): string {
  const frame = `1/${Math.round(opts.fps)}s`;
  const duration = fcpTime(Math.max(opts.durationSec, records.at(-1)?.timeSec ?? 0));
  // A downbeat's marker is named `Bar 12` (its flags go in the note); other beats keep the one-label form.
  const markers = records.map((r, i) =>
    r.bar !== undefined
      ? `            <marker start="${fcpTime(r.timeSec)}" duration="${frame}" value="${escapeXml(markerName(r, i))}" note="${escapeXml(flagWords(r))}"/>`
      : `            <marker start="${fcpTime(r.timeSec)}" duration="${frame}" value="${escapeXml(labelFor(r, i))}"/>`,
  );
  const name = escapeXml(opts.name);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE fcpxml>',
    '<fcpxml version="1.10">',
    '  <resources>',
    `    <format id="r1" name="FFVideoFormat720p${Math.round(opts.fps)}" frameDuration="${frame}" width="1280" height="720"/>`,
    '  </resources>',
    '  <library>',
    `    <event name="${name}">`,
    `      <project name="${name}">`,
    `        <sequence format="r1" duration="${duration}" tcStart="0s" tcFormat="NDF">`,
    '          <spine>',
    `          <gap name="Beats" offset="0s" start="0s" duration="${duration}">`,
    ...markers,
    '          </gap>',
    '          </spine>',
    '        </sequence>',
    '      </project>',
    '    </event>',
    '  </library>',
    '</fcpxml>',
    '',
  ].join('\n');
}

function attributes(text: string, where: string): Map<string, string> {
  const attrs = new Map<string, string>();
  const re = /([\w:.-]+)\s*=\s*("([^"]*)"|'([^']*)')/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) attrs.set(m[1]!, unescapeXml(m[3] ?? m[4] ?? ''));
  if (/[<>]/.test(text)) throw badFile(`${where}: malformed XML tag.`);
  return attrs;
}

export function parseFcpxml(text: string, maxMarkers: number): MarkerRecord[] {
  checkSize(text, maxMarkers);
  if (!/<fcpxml[\s>]/.test(text)) throw badFile('This is not an FCPXML file (no <fcpxml> element).');
  // Each open element contributes (offset - start): the shift from its local time to its parent's.
  const stack: { name: string; shiftSec: number }[] = [];
  const records: MarkerRecord[] = [];
  const tag = /<(\/?)([A-Za-z][\w.-]*)([^<>]*?)(\/?)>/g;
  const body = text.replace(/<!--[\s\S]*?-->/g, '').replace(/<\?[\s\S]*?\?>/g, '').replace(/<!DOCTYPE[^>]*>/g, '');
  let m: RegExpExecArray | null;
  let elements = 0;
  while ((m = tag.exec(body))) {
    const [, closing, name, rest, selfClosing] = m as unknown as [string, string, string, string, string];
    const where = `<${name}> element ${++elements}`;
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name) throw badFile(`${where}: closing tag does not match the open <${open?.name ?? 'nothing'}>.`);
      continue;
    }
    const attrs = attributes(rest, where);
    if (name === 'marker' || name === 'chapter-marker') {
      const parentShift = stack.reduce((sum, e) => sum + e.shiftSec, 0);
      if (records.length >= maxMarkers) throw badFile(`The file has more than ${maxMarkers} markers.`);
      const timeSec = checkTime(parentShift + parseFcpTime(attrs.get('start'), where), where);
      records.push({ timeSec: Math.round(timeSec * 1e9) / 1e9, ...flagsFromLabel(`${attrs.get('value') ?? ''} ${attrs.get('note') ?? ''}`) });
    }
    if (!selfClosing) {
      if (stack.length > 64) throw badFile('The XML is nested too deeply.');
      const hasTiming = attrs.has('offset') || attrs.has('start');
      const isClip = hasTiming && !['marker', 'chapter-marker', 'sequence', 'format', 'keyword'].includes(name);
      stack.push({ name, shiftSec: isClip ? parseFcpTime(attrs.get('offset'), where) - parseFcpTime(attrs.get('start'), where) : 0 });
    }
  }
  if (stack.length) throw badFile(`The XML ends inside <${stack[stack.length - 1]!.name}>: the file is truncated.`);
  return finish(records, maxMarkers, 'FCPXML');
}
