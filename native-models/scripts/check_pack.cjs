// Checks an exported MuseDance pack with the real onnxruntime-node (Python has no onnxruntime here):
// manifest valid against schemas/manifest.schema.json (ajv), sha256 of every listed file, each graph loads and
// its input/output names, dtypes and shapes match the manifest, and each graph reproduces its PyTorch golden
// outputs. Usage: node native-models/scripts/check_pack.cjs <packDir>  -> one JSON object on stdout; exit 1 on failure.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const repo = path.resolve(__dirname, '..', '..');
const ort = require(path.join(repo, 'node_modules', 'onnxruntime-node'));
const Ajv = require(path.join(repo, 'node_modules', 'ajv'));

const ORT_TYPES = { float32: 'float32', float16: 'float16', int64: 'int64' };

function readTensor(goldenDir, entry) {
  const buf = fs.readFileSync(path.join(goldenDir, entry.file));
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const data = entry.dtype === 'int64' ? new BigInt64Array(ab) : new Float32Array(ab);
  return new ort.Tensor(entry.dtype, data, entry.shape);
}

async function main() {
  const packDir = path.resolve(process.argv[2] || '.');
  const problems = [];
  const manifest = JSON.parse(fs.readFileSync(path.join(packDir, 'manifest.json'), 'utf8'));
  const schema = JSON.parse(fs.readFileSync(path.join(repo, 'native-models', 'schemas', 'manifest.schema.json'), 'utf8'));
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  if (!validate(manifest)) problems.push({ what: 'schema', errors: validate.errors });
  for (const [rel, info] of Object.entries(manifest.files || {})) {
    const p = path.join(packDir, rel);
    if (!fs.existsSync(p)) { problems.push({ what: 'missing file', file: rel }); continue; }
    const sha = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    if (sha !== info.sha256) problems.push({ what: 'sha256 mismatch', file: rel });
  }
  const goldenIndex = manifest.golden ? JSON.parse(fs.readFileSync(path.join(packDir, manifest.golden.index), 'utf8')) : null;
  const goldenDir = manifest.golden ? path.dirname(path.join(packDir, manifest.golden.index)) : null;
  const graphs = {};
  for (const [name, g] of Object.entries(manifest.graphs)) {
    const t0 = Date.now();
    const session = await ort.InferenceSession.create(path.join(packDir, g.file), { intraOpNumThreads: 1 });
    const report = { loadMs: Date.now() - t0 };
    const wantIn = g.inputs.map((t) => t.name), wantOut = g.outputs.map((t) => t.name);
    if (JSON.stringify(session.inputNames) !== JSON.stringify(wantIn)) problems.push({ what: 'input names', name, got: session.inputNames, want: wantIn });
    if (JSON.stringify(session.outputNames) !== JSON.stringify(wantOut)) problems.push({ what: 'output names', name, got: session.outputNames, want: wantOut });
    const meta = [...(session.inputMetadata || []), ...(session.outputMetadata || [])];
    for (const m of meta) {
      const spec = [...g.inputs, ...g.outputs].find((t) => t.name === m.name);
      if (!spec || !m.isTensor) continue;
      if (JSON.stringify(m.shape) !== JSON.stringify(spec.shape) || m.type !== ORT_TYPES[spec.dtype]) {
        problems.push({ what: 'shape/dtype', name, tensor: m.name, got: [m.type, m.shape], want: [spec.dtype, spec.shape] });
      }
    }
    report.metadataChecked = meta.length;
    if (goldenIndex) {
      const feeds = {};
      for (const t of g.inputs) feeds[t.name] = readTensor(goldenDir, goldenIndex.tensors[`${name}.${t.name}`]);
      const t1 = Date.now();
      const out = await session.run(feeds);
      report.runMs = Date.now() - t1;
      report.maxAbsDiff = {};
      for (const t of g.outputs) {
        const key = `${name}.${t.name}`;
        const want = readTensor(goldenDir, goldenIndex.tensors[key]).data;
        const got = out[t.name].data;
        let maxAbs = 0;
        for (let i = 0; i < want.length; i++) maxAbs = Math.max(maxAbs, Math.abs(got[i] - want[i]));
        report.maxAbsDiff[t.name] = maxAbs;
        const tol = (goldenIndex.tolerances[key] || goldenIndex.tolerances.default).maxAbs;
        if (!(maxAbs <= tol) || got.length !== want.length) problems.push({ what: 'golden mismatch', tensor: key, maxAbs, tol });
      }
    }
    graphs[name] = report;
  }
  const ok = problems.length === 0;
  process.stdout.write(JSON.stringify({ ok, packDir, graphs, problems }) + '\n');
  process.exit(ok ? 0 : 1);
}

main().catch((e) => { process.stdout.write(JSON.stringify({ ok: false, error: String(e && e.message || e) }) + '\n'); process.exit(1); });
