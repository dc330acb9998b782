#!/usr/bin/env python3
"""Measure which graphs of a pack ONNX Runtime's CPU execution provider runs in float16 (issue 20: "fp16 graphs
where ONNX Runtime runs them"). Each graph is converted the plain way (float initializers, constants, graph inputs
and outputs and Cast targets -> float16), then onnxruntime-node (the engine's runtime) creates a CPU session and
runs it once on zeros. Prints one JSON line per graph: {graph, ok, error?, ms?}.

    /usr/bin/python3 native-models/scripts/fp16_cpu_probe.py <pack dir> [graph ...]
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
F32, F16 = onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16

RUN_JS = r"""
const ort = require('onnxruntime-node');
const [file, specs] = [process.argv[1], JSON.parse(process.argv[2])];
(async () => {
  try {
    const s = await ort.InferenceSession.create(file, { executionProviders: ['cpu'] });
    const feeds = {};
    for (const t of specs) {
      const n = t.shape.reduce((a, b) => a * b, 1);
      feeds[t.name] = t.dtype === 'int64' ? new ort.Tensor('int64', new BigInt64Array(n), t.shape)
        : new ort.Tensor(t.dtype === 'float16' ? 'float16' : 'float32', t.dtype === 'float16' ? new Uint16Array(n) : new Float32Array(n), t.shape);
    }
    const t0 = Date.now(); await s.run(feeds);
    console.log(JSON.stringify({ ok: true, ms: Date.now() - t0 }));
  } catch (e) { console.log(JSON.stringify({ ok: false, error: String(e.message || e).split('\n')[0].slice(0, 300) })); }
})();
"""


def to_fp16(model):
    g = model.graph
    keep = {name for n in g.node if n.op_type == "Resize" for name in n.input[1:3]}   # roi/scales stay float32
    for i, t in enumerate(g.initializer):
        if t.data_type == F32 and t.name not in keep:
            g.initializer[i].CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name))
    for v in list(g.input) + list(g.output):
        if v.type.tensor_type.elem_type == F32:
            v.type.tensor_type.elem_type = F16
    del g.value_info[:]
    for node in g.node:
        if node.op_type == "Constant" and node.output[0] in keep:
            continue
        for a in node.attribute:
            if a.name == "to" and a.i == F32:
                a.i = F16
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == F32:
                a.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(a.t).astype(np.float16), a.t.name))
    return model


def main(argv):
    pack = argv[0]
    manifest = json.load(open(os.path.join(pack, "manifest.json")))
    graphs = argv[1:] or list(manifest["graphs"])
    for name in graphs:
        spec = manifest["graphs"][name]
        model = to_fp16(onnx.load(os.path.join(pack, spec["file"])))
        inputs = [dict(t, dtype="float16" if t["dtype"] == "float32" else t["dtype"]) for t in spec["inputs"]]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, name + ".fp16.onnx")
            onnx.save_model(model, path)
            p = subprocess.run(["node", "-e", RUN_JS, path, json.dumps(inputs)], capture_output=True, text=True,
                               cwd=REPO, timeout=600)
        result = json.loads((p.stdout.strip().splitlines() or ['{"ok": false, "error": "no output"}'])[-1])
        print(json.dumps({"graph": name, **result}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
