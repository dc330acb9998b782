// ONNX Runtime sessions of one model pack, in a worker thread: InferenceSession.run blocks the thread that calls
// it, so it must never run on the main JS thread (the UI/IPC would freeze for a whole UNet step).
// Plain CommonJS on purpose: the same file runs under tsx, vitest, the CLI and the bundled Electron main without
// a TypeScript loader in the worker. Owned by OrtWorker (ort-worker-client.ts); protocol documented there.
'use strict';
const { parentPort } = require('node:worker_threads');
const ort = require('onnxruntime-node');

ort.env.logLevel = 'error';
/** @type {Map<string, import('onnxruntime-node').InferenceSession>} */
const sessions = new Map();

const meta = (list) =>
  list.map((m) => (m.isTensor ? { name: m.name, isTensor: true, type: m.type, shape: m.shape.map((d) => (typeof d === 'number' ? d : -1)) } : { name: m.name, isTensor: false, type: '', shape: [] }));

const message = (e) => (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 500);

async function handle(msg) {
  if (msg.type === 'load') {
    for (const s of sessions.values()) await s.release();
    sessions.clear();
    const out = {};
    for (const [name, file] of Object.entries(msg.graphs)) {
      const started = Date.now();
      let session;
      try {
        session = await ort.InferenceSession.create(file, {
          executionProviders: msg.provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
          graphOptimizationLevel: 'all',
          ...(msg.intraOpThreads ? { intraOpNumThreads: msg.intraOpThreads } : {}),
        });
      } catch (e) {
        throw Object.assign(new Error(`${name}: ONNX Runtime could not create a session (${message(e)})`), { code: 'INFERENCE_SESSION_FAILED' });
      }
      sessions.set(name, session);
      out[name] = { inputs: meta(session.inputMetadata), outputs: meta(session.outputMetadata), loadMs: Date.now() - started };
    }
    return out;
  }
  if (msg.type === 'run') {
    const session = sessions.get(msg.graph);
    if (!session) throw Object.assign(new Error(`graph ${msg.graph} is not loaded`), { code: 'INFERENCE_RUN_FAILED' });
    const feeds = {};
    for (const [name, t] of Object.entries(msg.feeds)) {
      const data = t.dtype === 'int64' ? new BigInt64Array(t.data) : new Float32Array(t.data);
      feeds[name] = new ort.Tensor(t.dtype, data, t.dims);
    }
    const started = performance.now();
    let results;
    try {
      results = await session.run(feeds);
    } catch (e) {
      throw Object.assign(new Error(`${msg.graph}: run failed (${message(e)})`), { code: 'INFERENCE_RUN_FAILED' });
    }
    const runMs = performance.now() - started;
    const outputs = {};
    const transfer = [];
    for (const [name, tensor] of Object.entries(results)) {
      // Copy into a fresh buffer we own, then transfer it (no second copy across threads).
      const src = tensor.data;
      const copy = new Float32Array(src.length);
      copy.set(src);
      outputs[name] = { dtype: tensor.type, dims: tensor.dims.slice(), data: copy.buffer };
      transfer.push(copy.buffer);
      tensor.dispose?.();
    }
    return { value: { outputs, runMs }, transfer };
  }
  if (msg.type === 'release') {
    for (const s of sessions.values()) await s.release();
    sessions.clear();
    return {};
  }
  throw new Error(`unknown message type ${msg.type}`);
}

// Messages are handled one at a time, in order.
let queue = Promise.resolve();
parentPort.on('message', (msg) => {
  queue = queue.then(async () => {
    try {
      const result = await handle(msg);
      if (result && result.transfer) parentPort.postMessage({ id: msg.id, ok: true, value: result.value }, result.transfer);
      else parentPort.postMessage({ id: msg.id, ok: true, value: result });
    } catch (e) {
      parentPort.postMessage({ id: msg.id, ok: false, error: { code: (e && e.code) || 'INFERENCE_RUN_FAILED', message: message(e) } });
    }
  });
});
