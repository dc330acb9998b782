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
  if (den === 0) throw badFile(`${where}: the time "${text.slice(0, 40)}" divides by zero.`);
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

const isNameChar = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 /* _ */ || c === 46 /* . */ || c === 45 /* - */;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * `name="value"` / `name='value'` pairs of a tag, scanned once from left to right (a regex here backtracked
 * quadratically over a long run of name characters). Junk between pairs is skipped, as before.
 */
function attributes(text: string, where: string): Map<string, string> {
  const attrs = new Map<string, string>();
  if (/[<>]/.test(text)) throw badFile(`${where}: malformed XML tag.`);
  const noClosing = { '"': false, "'": false } as Record<string, boolean>;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (!isNameChar(c) && c !== 58 /* : */) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && (isNameChar(text.charCodeAt(j)) || text.charCodeAt(j) === 58)) j++;
    let k = j;
    while (k < n && isSpace(text.charCodeAt(k))) k++;
    if (text[k] !== '=') {
      i = j;
      continue;
    }
    k++;
    while (k < n && isSpace(text.charCodeAt(k))) k++;
    const quote = text[k];
    if ((quote !== '"' && quote !== "'") || noClosing[quote]) {
      i = j;
      continue;
    }
    const end = text.indexOf(quote, k + 1);
    if (end < 0) {
      // No closing quote of this kind anywhere after here: never search for one again (keeps the scan linear).
      noClosing[quote] = true;
      i = j;
      continue;
    }
    const value = text.slice(k + 1, end);
    attrs.set(text.slice(i, j), value.includes('&') ? unescapeXml(value) : value);
    i = end + 1;
  }
  return attrs;
}

/** A name as messages quote it: a hostile file's 300,000-character tag name is cut. */
const short = (name: string) => (name.length > 40 ? `${name.slice(0, 40)}...` : name);

interface ScannedTag {
  closing: boolean;
  name: string;
  rest: string;
  selfClosing: boolean;
}

/**
 * The tags of an XML text in order, skipping comments, processing instructions, CDATA and doctype; one pass,
 * each character looked at a bounded number of times. A `<` that does not start a well-formed tag is text.
 */
function* scanTags(text: string): Generator<ScannedTag> {
  const n = text.length;
  const skipTo = (from: number, close: string, what: string) => {
    const end = text.indexOf(close, from);
    if (end < 0) throw badFile(`The XML ends inside a ${what}: the file is truncated.`);
    return end + close.length;
  };
  let i = 0;
  for (;;) {
    const lt = text.indexOf('<', i);
    if (lt < 0) return;
    const next = text.charCodeAt(lt + 1);
    if (next === 33 /* ! */) {
      if (text.startsWith('<!--', lt)) i = skipTo(lt + 4, '-->', 'comment');
      else if (text.startsWith('<![CDATA[', lt)) i = skipTo(lt + 9, ']]>', 'CDATA section');
      else i = skipTo(lt + 2, '>', 'declaration');
      continue;
    }
    if (next === 63 /* ? */) {
      i = skipTo(lt + 2, '?>', 'processing instruction');
      continue;
    }
    let j = lt + 1;
    const closing = next === 47; /* / */
    if (closing) j++;
    const c0 = text.charCodeAt(j);
    if (!((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122))) {
      i = lt + 1;
      continue;
    }
    const nameStart = j;
    while (j < n && isNameChar(text.charCodeAt(j))) j++;
    let k = j;
    for (; k < n; k++) {
      const c = text.charCodeAt(k);
      if (c === 60 /* < */ || c === 62 /* > */) break;
    }
    if (k >= n || text.charCodeAt(k) === 60) {
      // Not a tag: continue at the next '<' (k), so no character is scanned twice.
      i = k;
      continue;
    }
    const selfClosing = k > j && text.charCodeAt(k - 1) === 47;
    yield { closing, name: text.slice(nameStart, j), rest: text.slice(j, selfClosing ? k - 1 : k), selfClosing };
    i = k + 1;
  }
}

export function parseFcpxml(text: string, maxMarkers: number): MarkerRecord[] {
  checkSize(text, maxMarkers);
  if (!/<fcpxml[\s>]/.test(text)) throw badFile('This is not an FCPXML file (no <fcpxml> element).');
  // Each open element contributes (offset - start): the shift from its local time to its parent's.
  const stack: { name: string; shiftSec: number }[] = [];
  const records: MarkerRecord[] = [];
  let elements = 0;
  for (const { closing, name, rest, selfClosing } of scanTags(text)) {
    const where = `<${short(name)}> element ${++elements}`;
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name) throw badFile(`${where}: closing tag does not match the open <${open ? short(open.name) : 'nothing'}>.`);
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
  if (stack.length) throw badFile(`The XML ends inside <${short(stack[stack.length - 1]!.name)}>: the file is truncated.`);
  return finish(records, maxMarkers, 'FCPXML');
}
