/**
 * Reads the declared inputs/outputs of an ONNX model straight from its protobuf (ModelProto.graph ->
 * GraphProto.input/output/initializer -> ValueInfoProto), without ONNX Runtime. The pack validator uses it
 * so that a corrupt or random-bytes graph, or one whose tensors differ from the manifest, is refused before
 * any session is created. Field numbers are from onnx.proto3.
 */
export interface GraphTensor {
  name: string;
  /** ONNX TensorProto.DataType: 1 float, 7 int64, 10 float16, ... */
  elemType: number;
  /** Static dims; a symbolic or missing dim is -1. */
  shape: number[];
}

export interface GraphSignature {
  irVersion: number;
  inputs: GraphTensor[];
  outputs: GraphTensor[];
  /** Files the initializers' ONNX external data points at (TensorProto.external_data "location"), deduplicated. */
  externalLocations: string[];
}

export class OnnxParseError extends Error {}

export const ONNX_ELEM_TYPES: Record<string, number> = { float32: 1, int64: 7, float16: 10 };

interface Field {
  no: number;
  wire: number;
  /** varint value (wire 0) */
  value?: number;
  /** sub-message bytes (wire 2) */
  bytes?: Uint8Array;
}

function readVarint(buf: Uint8Array, pos: { at: number }): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos.at >= buf.length) throw new OnnxParseError('truncated varint');
    const b = buf[pos.at++]!;
    result += (b & 0x7f) * scale;
    if (!(b & 0x80)) return result;
    scale *= 128;
  }
  throw new OnnxParseError('varint longer than 10 bytes');
}

/** Every field of one message; throws on anything that is not well-formed protobuf. */
function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  const pos = { at: 0 };
  while (pos.at < buf.length) {
    const key = readVarint(buf, pos);
    const no = Math.floor(key / 8);
    const wire = key % 8;
    if (no < 1) throw new OnnxParseError('field number 0');
    if (wire === 0) out.push({ no, wire, value: readVarint(buf, pos) });
    else if (wire === 1) pos.at += 8;
    else if (wire === 5) pos.at += 4;
    else if (wire === 2) {
      const len = readVarint(buf, pos);
      if (pos.at + len > buf.length) throw new OnnxParseError('length-delimited field runs past the end');
      out.push({ no, wire, bytes: buf.subarray(pos.at, pos.at + len) });
      pos.at += len;
    } else throw new OnnxParseError(`unsupported wire type ${wire}`);
    if (pos.at > buf.length) throw new OnnxParseError('field runs past the end');
  }
  return out;
}

const text = (b: Uint8Array | undefined) => (b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8') : '');

function valueInfo(bytes: Uint8Array): GraphTensor {
  const f = fields(bytes);
  const name = text(f.find((x) => x.no === 1 && x.wire === 2)?.bytes);
  let elemType = 0;
  const shape: number[] = [];
  const type = f.find((x) => x.no === 2 && x.wire === 2)?.bytes;
  const tensorType = type ? fields(type).find((x) => x.no === 1 && x.wire === 2)?.bytes : undefined;
  if (tensorType) {
    const tf = fields(tensorType);
    elemType = tf.find((x) => x.no === 1 && x.wire === 0)?.value ?? 0;
    const shapeBytes = tf.find((x) => x.no === 2 && x.wire === 2)?.bytes;
    if (shapeBytes) {
      for (const dim of fields(shapeBytes).filter((x) => x.no === 1 && x.wire === 2)) {
        const value = fields(dim.bytes!).find((x) => x.no === 1 && x.wire === 0)?.value;
        shape.push(value ?? -1);
      }
    }
  }
  return { name, elemType, shape };
}

export function readGraphSignature(model: Uint8Array): GraphSignature {
  const top = fields(model);
  const irVersion = top.find((x) => x.no === 1 && x.wire === 0)?.value;
  const graph = top.find((x) => x.no === 7 && x.wire === 2)?.bytes;
  if (irVersion === undefined || !graph) throw new OnnxParseError('not an ONNX model (no ir_version or graph)');
  if (!top.some((x) => x.no === 8 && x.wire === 2)) throw new OnnxParseError('not an ONNX model (no opset_import)');
  const g = fields(graph);
  const initializers = new Set<string>();
  const externalLocations = new Set<string>();
  for (const init of g.filter((x) => x.no === 5 && x.wire === 2)) {
    const f = fields(init.bytes!);
    const name = f.find((x) => x.no === 8 && x.wire === 2);
    if (name) initializers.add(text(name.bytes));
    // TensorProto.external_data (13): StringStringEntryProto { key = 1, value = 2 }
    for (const entry of f.filter((x) => x.no === 13 && x.wire === 2)) {
      const kv = fields(entry.bytes!);
      if (text(kv.find((x) => x.no === 1)?.bytes) === 'location') externalLocations.add(text(kv.find((x) => x.no === 2)?.bytes));
    }
  }
  const inputs = g.filter((x) => x.no === 11 && x.wire === 2).map((x) => valueInfo(x.bytes!)).filter((t) => !initializers.has(t.name));
  const outputs = g.filter((x) => x.no === 12 && x.wire === 2).map((x) => valueInfo(x.bytes!));
  if (!inputs.length || !outputs.length) throw new OnnxParseError('graph has no inputs or no outputs');
  return { irVersion, inputs, outputs, externalLocations: [...externalLocations] };
}
