/**
 * CLIP's byte-level BPE tokenizer over a pack's `vocab.json` + `merges.txt`, reproducing
 * `native-models/musedance_models/tokenizer/clip_tokenizer.py` point by point (golden ids come from it):
 * NFC, quote uncurling, HTML unescape twice, whitespace collapse, lowercase; CLIP's pre-tokeniser
 * (specials | contractions | letters+ | one digit | punctuation run); BPE by merge rank; BOS + ids + EOS
 * truncated (keeping EOS) and padded with the pad id to maxLength.
 * Not reproduced: HTML5 named references beyond the common ones listed in `NAMED_ENTITIES` (prompts rarely
 * contain them; numeric references are fully supported).
 */
export const START_OF_TEXT = '<|startoftext|>';
export const END_OF_TEXT = '<|endoftext|>';
const END_OF_WORD = '</w>';
const CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];
/** Hugging Face reads at most this many merges (49408 - 512 - 2). */
export const CLIP_MAX_MERGES = 48894;

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', hellip: '\u2026', mdash: '\u2014', ndash: '\u2013', copy: '\u00a9', reg: '\u00ae' };

/** Python's `str.isspace` (Unicode White_Space plus the ASCII separators 0x1c-0x1f). */
const isSpace = (ch: string): boolean => /^[\s\x1c-\x1f\x85]$/u.test(ch) && ch !== '\ufeff';
const isLetter = (ch: string): boolean => /^\p{L}$/u.test(ch);
const isNumber = (ch: string): boolean => /^\p{N}$/u.test(ch);

function htmlUnescape(text: string): string {
  return text.replace(/&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;)/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const hex = body[1] === 'x' || body[1] === 'X';
      const code = parseInt(body.slice(hex ? 2 : 1).replace(';', ''), hex ? 16 : 10);
      // Python maps invalid code points (0, surrogates, > 0x10FFFF) to U+FFFD.
      if (!Number.isFinite(code) || code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(code);
    }
    const named = NAMED_ENTITIES[body.slice(0, -1)];
    return named ?? whole;
  });
}

export function cleanText(text: string): string {
  let t = text.normalize('NFC');
  t = t.replace(/[\u02bc\u2018-\u201b]/g, "'").replace(/[\u201c-\u201f]/g, '"');
  t = htmlUnescape(htmlUnescape(t));
  const chars = [...t];
  const out: string[] = [];
  let inSpace = false;
  for (const ch of chars) {
    if (isSpace(ch)) {
      inSpace = true;
      continue;
    }
    if (inSpace && out.length) out.push(' ');
    inSpace = false;
    out.push(ch);
  }
  return out.join('').toLowerCase();
}

export function preTokenize(text: string): string[] {
  const chars = [...text];
  const joined = (a: number, b: number) => chars.slice(a, b).join('');
  const startsAt = (s: string, i: number) => joined(i, i + [...s].length) === s;
  const pieces: string[] = [];
  let i = 0;
  while (i < chars.length) {
    const special = [START_OF_TEXT, END_OF_TEXT].find((s) => startsAt(s, i)) ?? CONTRACTIONS.find((s) => startsAt(s, i));
    if (special) {
      pieces.push(special);
      i += [...special].length;
      continue;
    }
    const ch = chars[i]!;
    if (isLetter(ch)) {
      let j = i + 1;
      while (j < chars.length && isLetter(chars[j]!)) j++;
      pieces.push(joined(i, j));
      i = j;
    } else if (isNumber(ch)) {
      pieces.push(ch);
      i++;
    } else if (isSpace(ch)) {
      i++;
    } else {
      let j = i + 1;
      while (j < chars.length && !(isLetter(chars[j]!) || isNumber(chars[j]!) || isSpace(chars[j]!))) j++;
      pieces.push(joined(i, j));
      i = j;
    }
  }
  return pieces;
}

/** CLIP/GPT-2 byte alphabet: printable latin-1 bytes map to themselves, the other 68 to U+0100.. in order. */
function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let c = 0x21; c <= 0x7e; c++) printable.push(c);
  for (let c = 0xa1; c <= 0xac; c++) printable.push(c);
  for (let c = 0xae; c <= 0xff; c++) printable.push(c);
  const table = new Array<string>(256);
  const set = new Set(printable);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = set.has(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  return table;
}

export class TokenizerError extends Error {}

export function parseMerges(text: string): Map<string, number> {
  let lines = text.split('\n');
  if (lines[0]?.startsWith('#version')) lines = lines.slice(1);
  const ranks = new Map<string, number>();
  let rank = 0;
  for (const [index, line] of lines.entries()) {
    if (!line.trim()) continue;
    const parts = line.trim().split(/\s+/);
    if (parts.length !== 2) throw new TokenizerError(`merges line ${index + 2}: expected two symbols`);
    const key = `${parts[0]} ${parts[1]}`;
    if (!ranks.has(key)) ranks.set(key, rank);
    rank++;
    if (rank === CLIP_MAX_MERGES) break;
  }
  return ranks;
}

export function parseVocab(text: string): Map<string, number> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new TokenizerError('vocab is not valid JSON');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new TokenizerError('vocab must map token -> id');
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw new TokenizerError(`vocab id of ${JSON.stringify(token).slice(0, 40)} is not a non-negative integer`);
    vocab.set(token, id);
  }
  for (const special of [START_OF_TEXT, END_OF_TEXT]) if (!vocab.has(special)) throw new TokenizerError(`vocab lacks ${special}`);
  return vocab;
}

export class ClipTokenizer {
  private readonly byteChars = bytesToUnicode();
  private readonly cache = new Map<string, string[]>();
  readonly bosId: number;
  readonly eosId: number;

  constructor(
    private readonly vocab: Map<string, number>,
    private readonly mergeRanks: Map<string, number>,
    readonly padId: number = vocab.get(END_OF_TEXT)!,
  ) {
    this.bosId = vocab.get(START_OF_TEXT)!;
    this.eosId = vocab.get(END_OF_TEXT)!;
  }

  static fromText(vocabJson: string, mergesText: string, padId?: number): ClipTokenizer {
    return new ClipTokenizer(parseVocab(vocabJson), parseMerges(mergesText), padId);
  }

  private bpe(token: string): string[] {
    const hit = this.cache.get(token);
    if (hit) return hit;
    const chars = [...token];
    let word = [...chars.slice(0, -1), chars[chars.length - 1]! + END_OF_WORD];
    while (word.length > 1) {
      let best: [string, string] | null = null;
      let bestRank = Infinity;
      for (let k = 0; k < word.length - 1; k++) {
        const r = this.mergeRanks.get(`${word[k]} ${word[k + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = [word[k]!, word[k + 1]!];
        }
      }
      if (!best) break;
      const merged: string[] = [];
      for (let k = 0; k < word.length; ) {
        if (k < word.length - 1 && word[k] === best[0] && word[k + 1] === best[1]) {
          merged.push(best[0] + best[1]);
          k += 2;
        } else merged.push(word[k++]!);
      }
      word = merged;
    }
    if (this.cache.size < 10_000) this.cache.set(token, word);
    return word;
  }

  symbols(text: string): string[] {
    const out: string[] = [];
    for (const piece of preTokenize(cleanText(text))) {
      if (piece === START_OF_TEXT || piece === END_OF_TEXT) {
        out.push(piece);
        continue;
      }
      const encoded = [...Buffer.from(piece, 'utf8')].map((b) => this.byteChars[b]).join('');
      out.push(...this.bpe(encoded));
    }
    return out;
  }

  /** [BOS] + ids + [EOS], truncated to maxLength keeping EOS, padded with the pad id. */
  encode(text: string, maxLength = 77): number[] {
    const ids = this.symbols(text).map((s) => this.vocab.get(s) ?? this.eosId).slice(0, maxLength - 2);
    const out = [this.bosId, ...ids, this.eosId];
    while (out.length < maxLength) out.push(this.padId);
    return out;
  }
}
