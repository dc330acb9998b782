/**
 * The engine's zod manifest (electron/services/inference/manifest.ts) and the normative JSON Schema
 * (native-models/schemas/manifest.schema.json, checked with ajv) agree: both accept the bundled pack's manifest,
 * and both refuse the same broken variants of it (a missing required field, a wrong type, another schema version,
 * a bad graph tensor).
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { Manifest } from '../../../electron/services/inference/manifest';

const repo = path.resolve(import.meta.dirname, '../../..');
const schema = JSON.parse(fs.readFileSync(path.join(repo, 'native-models/schemas/manifest.schema.json'), 'utf8'));
const bundled = JSON.parse(fs.readFileSync(path.join(repo, 'assets/models/musedance-tiny/manifest.json'), 'utf8'));
const validateJsonSchema = new Ajv({ strict: false, allErrors: true }).compile(schema);

type Json = Record<string, any>;
const variant = (edit: (m: Json) => void): Json => {
  const copy = structuredClone(bundled) as Json;
  edit(copy);
  return copy;
};

const broken: Record<string, Json> = {
  'schemaVersion 2': variant((m) => void (m.schemaVersion = 2)),
  'no config': variant((m) => void delete m.config),
  'fps as a string': variant((m) => void (m.config.fps = '12')),
  'no scheduler': variant((m) => void delete m.scheduler),
  'no graphs.unet': variant((m) => void delete m.graphs.unet),
  'a tensor dtype that is not one': variant((m) => void (m.graphs.unet.inputs[0].dtype = 'complex64')),
  'a file without sha256': variant((m) => void delete (Object.values(m.files)[0] as Json).sha256),
  'no tokenizer': variant((m) => void delete m.tokenizer),
};

describe('manifest: zod mirror vs JSON Schema', () => {
  it('both accept the bundled pack manifest', () => {
    expect(validateJsonSchema(bundled), JSON.stringify(validateJsonSchema.errors)).toBe(true);
    expect(Manifest.safeParse(bundled).success).toBe(true);
  });

  it.each(Object.entries(broken))('both refuse a manifest with %s', (_name, manifest) => {
    expect(validateJsonSchema(manifest)).toBe(false);
    expect(Manifest.safeParse(manifest).success).toBe(false);
  });
});
