import { describe, expect, it } from 'vitest';
import { jsonNestingDepth, parseJsonSafely } from '../../../electron/shared/safe-json';

describe('safe JSON reader', () => {
  it('refuses a million nested brackets before parsing, without a stack overflow', () => {
    const hostile = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    const r = parseJsonSafely(hostile, { maxDepth: 64 });
    expect(r).toMatchObject({ ok: false, code: 'JSON_TOO_DEEP' });
  });

  it('counts depth outside strings only (brackets and escaped quotes inside strings do not count)', () => {
    expect(jsonNestingDepth('{"a":"[[[[{{{{\\"[[["}')).toBe(1);
    expect(jsonNestingDepth('[[1],[[2]]]')).toBe(3);
    expect(parseJsonSafely('{"a":"[[[[[[[[[["}', { maxDepth: 1 })).toEqual({ ok: true, value: { a: '[[[[[[[[[[' } });
  });

  it('refuses text over the size limit', () => {
    expect(parseJsonSafely('"' + 'x'.repeat(2000) + '"', { maxChars: 1000 })).toMatchObject({ ok: false, code: 'JSON_TOO_LARGE' });
  });

  it('drops __proto__, constructor and prototype keys so spreading the result cannot change a prototype', () => {
    const r = parseJsonSafely('{"__proto__":{"polluted":1},"a":{"constructor":{"prototype":{"x":1}},"b":2},"prototype":3}');
    expect(r.ok).toBe(true);
    const value = (r as { value: Record<string, unknown> }).value;
    expect(Object.keys(value)).toEqual(['a']);
    expect(value.a).toEqual({ b: 2 });
    const merged = Object.assign({}, value);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports syntax errors as values', () => {
    expect(parseJsonSafely('{"a":')).toMatchObject({ ok: false, code: 'JSON_SYNTAX' });
    expect(parseJsonSafely('')).toMatchObject({ ok: false, code: 'JSON_SYNTAX' });
  });
});
