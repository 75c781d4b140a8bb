/**
 * A minimal reader for ONNX model files: the protobuf wire format (varint, 64-bit, length-delimited
 * and 32-bit fields) and the few ONNX messages the plain-TypeScript runtime needs.
 *
 * Read me first:
 * - Messages and field numbers follow `onnx/onnx.proto3` (ONNX 1.x): ModelProto, GraphProto,
 *   NodeProto, AttributeProto, TensorProto, ValueInfoProto. Unknown fields are skipped, as protobuf
 *   requires; subgraphs (`AttributeProto.g`) and sparse tensors are skipped too (the encoder has
 *   none).
 * - Every length is checked against the bytes left in its enclosing message before anything is
 *   read or allocated; a violation throws {@link FaceEncoderError} `E_MODEL_FORMAT`. Integers beyond
 *   +-(2^53 - 1) are rejected rather than rounded.
 * - Tensors of type FLOAT are decoded from `raw_data` (little-endian) or `float_data`, and FLOAT16
 *   from `raw_data` (widened to float32: a float16 export stores the weights so, each behind a
 *   Cast); other element types keep their bytes undecoded (`data` is undefined) and fail only if an
 *   op uses them.
 * - Protobuf repeated scalars may arrive packed or unpacked; both are accepted.
 */
import { FaceEncoderError } from '../../errors.js';

/** ONNX `TensorProto.DataType.FLOAT`. */
export const ONNX_FLOAT = 1;
/** ONNX `TensorProto.DataType.FLOAT16`. */
export const ONNX_FLOAT16 = 10;

/** A decoded tensor. `data` is set for FLOAT tensors, and for FLOAT16 ones stored as `raw_data`. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  data?: Float32Array;
}

/** One attribute value, by kind. */
export type OnnxAttribute =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: OnnxTensor }
  | { kind: 'floats'; value: number[] }
  | { kind: 'ints'; value: number[] }
  | { kind: 'other' };

/** A graph node. */
export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

/** A graph input or output: its name and (possibly symbolic, here -1) dimensions. */
export interface OnnxValueInfo {
  name: string;
  dims: number[];
}

/** A decoded graph. */
export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/** A decoded model. */
export interface OnnxModel {
  irVersion: number;
  opsetVersion: number;
  producer: string;
  graph: OnnxGraph;
}

/** Largest tensor accepted, in elements (the encoder's biggest holds a few tens of thousands). */
const MAX_TENSOR_ELEMENTS = 1 << 26;

/** Protobuf wire types. */
const VARINT = 0, I64 = 1, LEN = 2, I32 = 5;

/** A read position inside `buf[pos..end)`. */
interface Reader {
  buf: Uint8Array;
  pos: number;
  end: number;
}

function bad(detail: string, pos: number): never {
  throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: ${detail} at byte ${pos}`);
}

/** Reads a varint as a signed 64-bit integer (two's complement), exact up to +-(2^53 - 1). */
function varint(r: Reader): number {
  let lo = 0, hi = 0, shift = 0;
  const start = r.pos;
  for (let i = 0; ; i++) {
    if (r.pos >= r.end) bad('truncated varint', start);
    if (i === 10) bad('varint longer than 10 bytes', start);
    const b = r.buf[r.pos++]!;
    if (shift < 28) lo |= (b & 0x7f) << shift;
    else if (shift === 28) { lo |= (b & 0x0f) << 28; hi |= (b & 0x70) >> 4; }
    else hi |= (b & 0x7f) << (shift - 32);
    shift += 7;
    if ((b & 0x80) === 0) break;
  }
  lo >>>= 0;
  hi >>>= 0;
  if (hi & 0x80000000) {
    // Negative: value = -(2^64 - (hi*2^32 + lo)).
    const nlo = (~lo + 1) >>> 0;
    const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
    if (nhi > 0x1fffff) bad('integer below -(2^53 - 1)', start);
    return -(nhi * 2 ** 32 + nlo);
  }
  if (hi > 0x1fffff) bad('integer above 2^53 - 1', start);
  return hi * 2 ** 32 + lo;
}

/** Reads a field key; returns [fieldNumber, wireType]. */
function key(r: Reader): [number, number] {
  const k = varint(r);
  if (k < 8) bad('invalid field key', r.pos);
  return [Math.floor(k / 8), k & 7];
}

/** A sub-reader over the next length-delimited field, advancing `r` past it. */
function sub(r: Reader): Reader {
  const len = varint(r);
  if (len < 0 || len > r.end - r.pos) bad('length runs past the end of its message', r.pos);
  const out = { buf: r.buf, pos: r.pos, end: r.pos + len };
  r.pos += len;
  return out;
}

function skip(r: Reader, wire: number): void {
  const at = r.pos;
  switch (wire) {
    case VARINT: varint(r); return;
    case I64: if (r.end - r.pos < 8) bad('truncated fixed64', at); r.pos += 8; return;
    case LEN: sub(r); return;
    case I32: if (r.end - r.pos < 4) bad('truncated fixed32', at); r.pos += 4; return;
    default: bad(`unsupported wire type ${wire}`, at);
  }
}

function expect(wire: number, want: number, r: Reader): void {
  if (wire !== want) bad(`wire type ${wire} where ${want} was expected`, r.pos);
}

const utf8 = typeof TextDecoder === 'function' ? new TextDecoder('utf-8', { fatal: false }) : undefined;

function string(r: Reader): string {
  const s = sub(r);
  const bytes = s.buf.subarray(s.pos, s.end);
  if (utf8) return utf8.decode(bytes);
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b); // ASCII names; no TextDecoder (old RN)
  return out;
}

function float32(r: Reader): number {
  if (r.end - r.pos < 4) bad('truncated float', r.pos);
  const b = r.buf, p = r.pos;
  r.pos += 4;
  return new DataView(b.buffer, b.byteOffset + p, 4).getFloat32(0, true);
}

/** Appends a repeated varint field's values (packed or not) to `out`. */
function repeatedVarint(r: Reader, wire: number, out: number[]): void {
  if (wire === VARINT) { out.push(varint(r)); return; }
  expect(wire, LEN, r);
  const s = sub(r);
  while (s.pos < s.end) out.push(varint(s));
}

/** Appends a repeated float field's values (packed or not) to `out`. */
function repeatedFloat(r: Reader, wire: number, out: number[]): void {
  if (wire === I32) { out.push(float32(r)); return; }
  expect(wire, LEN, r);
  const s = sub(r);
  if ((s.end - s.pos) % 4 !== 0) bad('packed floats not a multiple of 4 bytes', s.pos);
  while (s.pos < s.end) out.push(float32(s));
}

/** TensorProto: dims 1, data_type 2, float_data 4, name 8, raw_data 9, data_location 14. */
function tensor(r: Reader): OnnxTensor {
  const dims: number[] = [];
  let dataType = 0, name = '', raw: Uint8Array | undefined, external = false;
  const floats: number[] = [];
  while (r.pos < r.end) {
    const [field, wire] = key(r);
    if (field === 1) repeatedVarint(r, wire, dims);
    else if (field === 2) { expect(wire, VARINT, r); dataType = varint(r); }
    else if (field === 4) repeatedFloat(r, wire, floats);
    else if (field === 8) { expect(wire, LEN, r); name = string(r); }
    else if (field === 9) { expect(wire, LEN, r); const s = sub(r); raw = s.buf.subarray(s.pos, s.end); }
    else if (field === 14) { expect(wire, VARINT, r); external = varint(r) === 1; }
    else skip(r, wire);
  }
  if (external) throw new FaceEncoderError('E_MODEL_UNSUPPORTED', `ONNX: tensor ${name} keeps its data in an external file`);
  let count = 1;
  for (const d of dims) {
    if (d < 0) bad(`tensor ${name} has a negative dimension`, r.pos);
    count *= d;
    if (count > MAX_TENSOR_ELEMENTS) bad(`tensor ${name} larger than ${MAX_TENSOR_ELEMENTS} elements`, r.pos);
  }
  const out: OnnxTensor = { name, dims, dataType };
  if (dataType === ONNX_FLOAT16 && raw) {
    if (raw.length !== count * 2) bad(`tensor ${name}: raw_data holds ${raw.length} bytes for ${count} float16 values`, r.pos);
    out.data = littleEndianHalves(raw);
  }
  if (dataType !== ONNX_FLOAT) return out;
  if (raw) {
    if (raw.length !== count * 4) bad(`tensor ${name}: raw_data holds ${raw.length} bytes for ${count} floats`, r.pos);
    out.data = littleEndianFloats(raw);
  } else {
    if (floats.length !== count) bad(`tensor ${name}: float_data holds ${floats.length} values for ${count}`, r.pos);
    out.data = Float32Array.from(floats);
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Copies little-endian float32 bytes into a new, aligned Float32Array. */
function littleEndianFloats(raw: Uint8Array): Float32Array {
  const out = new Float32Array(raw.length / 4);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(raw);
  } else {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  }
  return out;
}

/** Widens little-endian IEEE 754 binary16 values (every one exactly representable) to float32. */
function littleEndianHalves(raw: Uint8Array): Float32Array {
  const out = new Float32Array(raw.length / 2);
  for (let i = 0; i < out.length; i++) {
    const h = raw[2 * i]! | (raw[2 * i + 1]! << 8);
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) out[i] = sign * fraction * 2 ** -24; // zero and subnormals
    else if (exponent === 31) out[i] = fraction ? NaN : sign * Infinity;
    else out[i] = sign * (1024 + fraction) * 2 ** (exponent - 25);
  }
  return out;
}

/** AttributeProto: name 1, f 2, i 3, s 4, t 5, floats 7, ints 8 (type 20 is implied by the field present). */
function attribute(r: Reader): [string, OnnxAttribute] {
  let name = '';
  let value: OnnxAttribute = { kind: 'other' };
  const floats: number[] = [], ints: number[] = [];
  let sawFloats = false, sawInts = false;
  while (r.pos < r.end) {
    const [field, wire] = key(r);
    if (field === 1) { expect(wire, LEN, r); name = string(r); }
    else if (field === 2) { expect(wire, I32, r); value = { kind: 'float', value: float32(r) }; }
    else if (field === 3) { expect(wire, VARINT, r); value = { kind: 'int', value: varint(r) }; }
    else if (field === 4) { expect(wire, LEN, r); value = { kind: 'string', value: string(r) }; }
    else if (field === 5) { expect(wire, LEN, r); value = { kind: 'tensor', value: tensor(sub(r)) }; }
    else if (field === 7) { sawFloats = true; repeatedFloat(r, wire, floats); }
    else if (field === 8) { sawInts = true; repeatedVarint(r, wire, ints); }
    else skip(r, wire);
  }
  if (sawInts) value = { kind: 'ints', value: ints };
  else if (sawFloats) value = { kind: 'floats', value: floats };
  return [name, value];
}

/** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7. */
function node(r: Reader): OnnxNode {
  const out: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: new Map() };
  while (r.pos < r.end) {
    const [field, wire] = key(r);
    if (field === 1) { expect(wire, LEN, r); out.inputs.push(string(r)); }
    else if (field === 2) { expect(wire, LEN, r); out.outputs.push(string(r)); }
    else if (field === 3) { expect(wire, LEN, r); out.name = string(r); }
    else if (field === 4) { expect(wire, LEN, r); out.opType = string(r); }
    else if (field === 5) { expect(wire, LEN, r); const [k, v] = attribute(sub(r)); out.attributes.set(k, v); }
    else if (field === 7) { expect(wire, LEN, r); out.domain = string(r); }
    else skip(r, wire);
  }
  return out;
}

/** ValueInfoProto name 1, type 2 -> TypeProto tensor_type 1 -> shape 2 -> dim 1 -> dim_value 1. */
function valueInfo(r: Reader): OnnxValueInfo {
  const out: OnnxValueInfo = { name: '', dims: [] };
  while (r.pos < r.end) {
    const [field, wire] = key(r);
    if (field === 1) { expect(wire, LEN, r); out.name = string(r); }
    else if (field === 2) { expect(wire, LEN, r); out.dims = typeDims(sub(r)); }
    else skip(r, wire);
  }
  return out;
}

/** The dimensions of a TypeProto's tensor type; symbolic dimensions read as -1. */
function typeDims(r: Reader): number[] {
  const dims: number[] = [];
  const walk = (m: Reader, path: readonly number[]): void => {
    while (m.pos < m.end) {
      const [field, wire] = key(m);
      if (field === path[0] && wire === LEN) {
        const inner = sub(m);
        if (path.length === 1) dims.push(dimValue(inner));
        else walk(inner, path.slice(1));
      } else skip(m, wire);
    }
  };
  walk(r, [1, 2, 1]); // tensor_type, shape, dim
  return dims;
}

function dimValue(r: Reader): number {
  let value = -1;
  while (r.pos < r.end) {
    const [field, wire] = key(r);
    if (field === 1 && wire === VARINT) value = varint(r);
    else skip(r, wire);
  }
  return value;
}

/** GraphProto: node 1, initializer 5, input 11, output 12. */
function graph(r: Reader): OnnxGraph {
  const out: OnnxGraph = { nodes: [], initializers: new Map(), inputs: [], outputs: [] };
  while (r.pos < r.end) {
    const [field, wire] = key(r);
    if (field === 1) { expect(wire, LEN, r); out.nodes.push(node(sub(r))); }
    else if (field === 5) { expect(wire, LEN, r); const t = tensor(sub(r)); out.initializers.set(t.name, t); }
    else if (field === 11) { expect(wire, LEN, r); out.inputs.push(valueInfo(sub(r))); }
    else if (field === 12) { expect(wire, LEN, r); out.outputs.push(valueInfo(sub(r))); }
    else skip(r, wire);
  }
  // Older exporters list initializers among the inputs too; they are not inputs to feed.
  out.inputs = out.inputs.filter((i) => !out.initializers.has(i.name));
  return out;
}

/** OperatorSetIdProto: domain 1, version 2. Returns [domain, version]. */
function opset(r: Reader): [string, number] {
  let domain = '', version = 0;
  while (r.pos < r.end) {
    const [field, wire] = key(r);
    if (field === 1) { expect(wire, LEN, r); domain = string(r); }
    else if (field === 2) { expect(wire, VARINT, r); version = varint(r); }
    else skip(r, wire);
  }
  return [domain, version];
}

/**
 * Decodes an ONNX model file. Throws {@link FaceEncoderError} `E_MODEL_FORMAT` on malformed bytes.
 * ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8.
 */
export function readOnnx(bytes: Uint8Array): OnnxModel {
  const r: Reader = { buf: bytes, pos: 0, end: bytes.length };
  const model: OnnxModel = { irVersion: 0, opsetVersion: 0, producer: '', graph: { nodes: [], initializers: new Map(), inputs: [], outputs: [] } };
  let sawGraph = false;
  while (r.pos < r.end) {
    const [field, wire] = key(r);
    if (field === 1) { expect(wire, VARINT, r); model.irVersion = varint(r); }
    else if (field === 2) { expect(wire, LEN, r); model.producer = string(r); }
    else if (field === 7) { expect(wire, LEN, r); model.graph = graph(sub(r)); sawGraph = true; }
    else if (field === 8) {
      expect(wire, LEN, r);
      const [domain, version] = opset(sub(r));
      if (domain === '' || domain === 'ai.onnx') model.opsetVersion = version;
    } else skip(r, wire);
  }
  if (!sawGraph) bad('no graph', 0);
  return model;
}
