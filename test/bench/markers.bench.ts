/**
 * `npm run bench -- markers`: marker import on hostile files (issue 25). Every format parses 1 MB built from
 * the tokens that used to make the parsers super-linear (long tag names, unclosed quotes and comments, bare
 * brackets, line breaks, commas) and from random bytes; `markers.import_worst_ms` is the slowest of them and
 * must stay under a second. The reference is a real 1 MB Audacity label track (~40,000 labels) in the same run.
 */
import { randomBytes } from 'node:crypto';
import { MARKER_FORMATS, parseMarkers } from '../../electron/shared/domain/markers/index';
import { bench } from './report';

const MB = 1 << 20;
const fill = (token: string, prefix = '') => prefix + token.repeat(Math.ceil((MB - prefix.length) / token.length)).slice(0, MB - prefix.length);

function timeParse(format: (typeof MARKER_FORMATS)[number], text: string): number {
  const t0 = performance.now();
  try {
    parseMarkers(format, text, { fps: 25, maxMarkers: 1_000_000 });
  } catch {
    // A named refusal is a fine answer; only the time counts here.
  }
  return performance.now() - t0;
}

export default async function () {
  const hostile: Record<string, string> = {
    'long tag name': fill('a', '<fcpxml><'),
    'colon name': fill('b', '<fcpxml><x:'),
    'unclosed quotes': fill('a="', '<fcpxml><gap '),
    'comment openers': fill('<!--', '<fcpxml>'),
    'pi openers': fill('<?', '<fcpxml>'),
    brackets: fill('<', '<fcpxml>'),
    'line breaks': fill('\n', 'Name,Start\n'),
    commas: fill(',', 'Name,Start\n'),
    quotes: fill('"', 'Name,Start\n'),
    tabs: fill('\t'),
    'random bytes': randomBytes(MB).toString('latin1'),
  };
  let worst = 0;
  let worstCase = '';
  for (const [label, text] of Object.entries(hostile)) {
    for (const format of MARKER_FORMATS) {
      // Best of two: the first run also pays for JIT warm-up.
      const ms = Math.min(timeParse(format, text), timeParse(format, text));
      if (ms > worst) (worst = ms), (worstCase = `${format} / ${label}`);
    }
  }
  console.log(`# slowest: ${worstCase}`);
  bench('markers.import_worst_ms', worst, 'ms');

  const labels: string[] = [];
  for (let i = 0, length = 0; length < MB; i++) {
    const line = `${(i * 0.5).toFixed(6)}\t${(i * 0.5).toFixed(6)}\tbeat ${i + 1} detected\n`;
    labels.push(line);
    length += line.length;
  }
  const legit = labels.join('');
  const legitMs = Math.min(timeParse('audacity', legit), timeParse('audacity', legit));
  bench('markers.import_1mb_labels_reference_ms', legitMs, 'ms');
}
