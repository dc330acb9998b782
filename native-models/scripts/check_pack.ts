/**
 * Checks an exported MuseDance pack the way the studio will load it (Python has no onnxruntime here): the
 * manifest against the normative JSON Schema (native-models/schemas/manifest.schema.json, ajv), the studio's own
 * validator (electron/services/inference/pack-validator.ts: manifest schema, every file's size and
 * sha256, each graph's ONNX inputs/outputs against the manifest and PACK.md, the tokenizer), then each graph run
 * in ONNX Runtime on its golden inputs must reproduce its PyTorch golden outputs within the index's tolerance.
 * Usage: node --import tsx native-models/scripts/check_pack.ts <packDir>
 *   -> one JSON object { ok, packDir, graphs: { <graph>: { metadataChecked, runMs, maxAbsDiff } }, problems }
 *   on stdout; exit 1 on failure. Used by native-models' pytest (test_md_export.py, test_published_imports.py).
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { validatePack } from '../../electron/services/inference/index';
import { PackRuntime } from '../../electron/services/inference/pack-runtime';
import { GRAPH_NAMES } from '../../electron/services/inference/manifest';

interface GoldenIndex {
  tensors: Record<string, { file: string; dtype: 'float32' | 'int64'; shape: number[] }>;
  tolerances: Record<string, { maxAbs: number }>;
}

async function main(): Promise<boolean> {
  const packDir = path.resolve(process.argv[2] ?? '.');
  const problems: unknown[] = [];
  const graphs: Record<string, { metadataChecked: number; runMs?: number; maxAbsDiff?: Record<string, number> }> = {};
  const schema = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'schemas', 'manifest.schema.json'), 'utf8'));
  const validateSchema = new Ajv({ strict: false, allErrors: true }).compile(schema);
  const manifestFile = path.join(packDir, 'manifest.json');
  if (fs.existsSync(manifestFile) && !validateSchema(JSON.parse(fs.readFileSync(manifestFile, 'utf8')))) problems.push({ what: 'schema', errors: validateSchema.errors });
  const { report, pack } = await validatePack(packDir);
  if (!pack) {
    problems.push({ what: 'validation', code: report.error?.code, checks: report.checks.filter((c) => !c.ok) });
    process.stdout.write(JSON.stringify({ ok: false, packDir, error: report.error?.message ?? 'invalid pack', graphs, problems }) + '\n');
    return false;
  }
  const goldenIndexFile = pack.manifest.golden ? path.join(packDir, pack.manifest.golden.index) : null;
  const index = goldenIndexFile ? (JSON.parse(fs.readFileSync(goldenIndexFile, 'utf8')) as GoldenIndex) : null;
  const tensor = (name: string) => {
    const spec = index!.tensors[name];
    if (!spec) throw new Error(`golden tensor ${name} missing`);
    const bytes = fs.readFileSync(path.join(path.dirname(goldenIndexFile!), spec.file));
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    return spec.dtype === 'int64' ? new BigInt64Array(copy.buffer) : new Float32Array(copy.buffer);
  };
  const runtime = await PackRuntime.open(packDir, { provider: 'cpu' });
  try {
    for (const graph of GRAPH_NAMES) {
      const spec = pack.manifest.graphs[graph];
      // The validator compared every input and output of the graph file with the manifest (names, dtypes, shapes).
      const entry: (typeof graphs)[string] = { metadataChecked: spec.inputs.length + spec.outputs.length };
      graphs[graph] = entry;
      if (!index) continue;
      const feeds = Object.fromEntries(
        spec.inputs.map((input) => {
          const data = tensor(`${graph}.${input.name}`);
          return [input.name, data instanceof BigInt64Array ? { dtype: 'int64' as const, dims: input.shape, data } : { dtype: 'float32' as const, dims: input.shape, data }];
        }),
      );
      const started = performance.now();
      const outputs = await runtime.runRaw(graph, feeds);
      entry.runMs = Math.round(performance.now() - started);
      entry.maxAbsDiff = {};
      for (const output of spec.outputs) {
        const key = `${graph}.${output.name}`;
        const want = tensor(key) as Float32Array;
        const got = outputs[output.name]!;
        let maxAbs = got.length === want.length ? 0 : Infinity;
        for (let i = 0; i < want.length && maxAbs !== Infinity; i++) maxAbs = Math.max(maxAbs, Math.abs(got[i]! - want[i]!));
        entry.maxAbsDiff[output.name] = maxAbs;
        const tol = (index.tolerances[key] ?? index.tolerances.default)!.maxAbs;
        if (!(maxAbs <= tol)) problems.push({ what: 'golden mismatch', tensor: key, maxAbs, tol });
      }
    }
  } finally {
    await runtime.close();
  }
  const ok = problems.length === 0;
  process.stdout.write(JSON.stringify({ ok, packDir, graphs, problems }) + '\n');
  return ok;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    process.stdout.write(JSON.stringify({ ok: false, error: String(error instanceof Error ? error.message : error) }) + '\n');
    process.exit(1);
  },
);
