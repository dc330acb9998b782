/**
 * JSON reading for untrusted text (project.json from disk, WebSocket messages). `JSON.parse` itself is
 * recursive in V8's reviver path and the objects it builds are walked recursively by every consumer, so a
 * 1 MB string of `[[[[...` can blow the stack far from the parse site. We therefore scan the text first
 * (linear, no recursion) and refuse it when it is too large or nested too deeply, and we drop prototype-ish
 * keys so a later `Object.assign`/spread cannot turn `"__proto__"` into a prototype change.
 * Pure and dependency-free: the renderer may import it.
 */

export interface SafeJsonLimits {
  /** Longest accepted text, in UTF-16 code units (≈ bytes for JSON, which is mostly ASCII). */
  maxChars: number;
  /** Deepest accepted nesting of arrays/objects. */
  maxDepth: number;
}

export const DEFAULT_JSON_LIMITS: SafeJsonLimits = { maxChars: 32 * 1024 * 1024, maxDepth: 64 };

/** Keys that mean something to the prototype chain; they never carry data in our formats. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type SafeJsonFailure = { ok: false; code: 'JSON_TOO_LARGE' | 'JSON_TOO_DEEP' | 'JSON_SYNTAX'; message: string };
export type SafeJsonResult = { ok: true; value: unknown } | SafeJsonFailure;

const OPEN_BRACE = 123; // {
const CLOSE_BRACE = 125; // }
const OPEN_BRACKET = 91; // [
const CLOSE_BRACKET = 93; // ]
const QUOTE = 34; // "
const BACKSLASH = 92; // \

/** Deepest nesting of `[`/`{` outside strings; stops early once `limit` is exceeded. */
export function jsonNestingDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth = Math.max(0, depth - 1);
  }
  return deepest;
}

export function parseJsonSafely(text: string, limits: Partial<SafeJsonLimits> = {}): SafeJsonResult {
  const { maxChars, maxDepth } = { ...DEFAULT_JSON_LIMITS, ...limits };
  if (text.length > maxChars) return { ok: false, code: 'JSON_TOO_LARGE', message: `JSON text is ${text.length} characters; the limit is ${maxChars}.` };
  const depth = jsonNestingDepth(text, maxDepth);
  if (depth > maxDepth) return { ok: false, code: 'JSON_TOO_DEEP', message: `JSON is nested more than ${maxDepth} levels deep.` };
  try {
    // Returning undefined from a reviver deletes the key: prototype-ish keys never reach our objects.
    const value: unknown = JSON.parse(text, (key, v: unknown) => (FORBIDDEN_KEYS.has(key) ? undefined : v));
    return { ok: true, value };
  } catch (error) {
    return { ok: false, code: 'JSON_SYNTAX', message: `not valid JSON (${String((error as Error).message).slice(0, 120)})` };
  }
}
