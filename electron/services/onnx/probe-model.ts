/**
 * A one-node ONNX model (Identity on a float[1]) encoded by hand, so the studio can ask ONNX Runtime whether
 * an execution provider really creates sessions on this machine without shipping a probe file.
 * Field numbers are from onnx.proto (ModelProto, GraphProto, NodeProto, ValueInfoProto, TypeProto).
 */
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
};
const key = (field: number, wire: 0 | 2) => varint((field << 3) | wire);
const int = (field: number, n: number) => [...key(field, 0), ...varint(n)];
const bytes = (field: number, b: number[]) => [...key(field, 2), ...varint(b.length), ...b];
const str = (field: number, s: string) => bytes(field, [...Buffer.from(s, 'utf8')]);

const floatVector1 = (name: string) =>
  // ValueInfoProto{name, type: TypeProto{tensor_type: {elem_type: FLOAT(1), shape: {dim: {dim_value: 1}}}}}
  [...str(1, name), ...bytes(2, bytes(1, [...int(1, 1), ...bytes(2, bytes(1, int(1, 1)))]))];

export function identityModelBytes(): Uint8Array {
  const node = [...str(1, 'x'), ...str(2, 'y'), ...str(4, 'Identity')];
  const graph = [...bytes(1, node), ...str(2, 'probe'), ...bytes(11, floatVector1('x')), ...bytes(12, floatVector1('y'))];
  const opset = [...str(1, ''), ...int(2, 13)];
  return Uint8Array.from([...int(1, 8), ...bytes(8, opset), ...bytes(7, graph)]);
}
