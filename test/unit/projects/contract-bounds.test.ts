/**
 * Input hardening across the whole contract: every request schema bounds its strings and arrays (so a hostile
 * renderer cannot make a handler chew on megabytes), rejects unknown keys, and limits records. Walks the JSON
 * Schema of each request (zod's own export), so new channels are checked the day they are added.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { channelNames, contract } from '../../../electron/shared/contract/index';

type Json = Record<string, unknown>;

/** A regex pattern that cannot match unbounded input: anchored and without open-ended quantifiers. */
const boundedPattern = (p: string) => p.startsWith('^') && p.endsWith('$') && !/(?<!\\)[*+]|\{\d+,\}/.test(p);

function problems(schema: unknown, at: string, defs: Json, out: string[], seen = new Set<unknown>()): void {
  if (typeof schema !== 'object' || schema === null || seen.has(schema)) return;
  seen.add(schema);
  const s = schema as Json;
  if (typeof s.$ref === 'string') {
    const target = defs[s.$ref.replace(/^#\/(\$defs|definitions)\//, '')];
    return problems(target, at, defs, out, seen);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) if (Array.isArray(s[key])) (s[key] as unknown[]).forEach((x) => problems(x, at, defs, out, seen));
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes('string') && s.maxLength === undefined && s.enum === undefined && s.const === undefined && !(typeof s.pattern === 'string' && boundedPattern(s.pattern))) {
    out.push(`${at}: string without a maximum length`);
  }
  if (types.includes('array')) {
    if (s.maxItems === undefined && !Array.isArray(s.prefixItems)) out.push(`${at}: array without a maximum size`);
    problems(s.items, `${at}[]`, defs, out, seen);
  }
  if (types.includes('object')) {
    const props = (s.properties ?? {}) as Json;
    if (s.additionalProperties !== false && s.additionalProperties !== undefined && s.maxProperties === undefined && Object.keys(props).length === 0) {
      out.push(`${at}: record without a maximum number of keys`);
    }
    for (const [k, v] of Object.entries(props)) problems(v, `${at}.${k}`, defs, out, seen);
    if (typeof s.additionalProperties === 'object') problems(s.additionalProperties, `${at}.*`, defs, out, seen);
  }
}

describe('request schemas bound every input', () => {
  const findings: string[] = [];
  for (const name of channelNames) {
    const json = z.toJSONSchema(contract[name].request as z.ZodType, { io: 'input', unrepresentable: 'any' }) as Json;
    problems(json, name, ((json.$defs ?? json.definitions ?? {}) as Json), findings);
    if (json.type === 'object' && json.additionalProperties !== false) findings.push(`${name}: request object is not strict (unknown keys are accepted)`);
  }

  it('no unbounded string, array or record, and every request object is strict', () => {
    expect(findings).toEqual([]);
  });

  it('the checker itself flags unbounded inputs', () => {
    const out: string[] = [];
    const loose = z.object({ a: z.string(), b: z.array(z.string().max(3)), c: z.record(z.string().max(3), z.number()), d: z.string().regex(/^x+$/), ok: z.string().regex(/^[a-f0-9]{64}$/) });
    const json = z.toJSONSchema(loose, { io: 'input' }) as Json;
    problems(json, 'x', {}, out);
    expect(out).toEqual(['x.a: string without a maximum length', 'x.b: array without a maximum size', 'x.c: record without a maximum number of keys', 'x.d: string without a maximum length']);
  });
});
