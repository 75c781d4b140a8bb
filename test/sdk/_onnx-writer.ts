/**
 * A tiny ONNX (protobuf) writer for tests: builds Conv/Relu/Add graphs, with the variations the
 * reader must accept (raw_data or float_data, float16 initializers, packed or unpacked ints,
 * Identity, Constant), so the
 * plain-TypeScript runtime can be checked against onnxruntime on graphs the shipped encoder does
 * not exercise. Field numbers follow onnx.proto3, as in src/sdk/runtime/ts/onnx-proto.ts.
 */
import { makeRng, type Rng } from '../../src/codec/_testing.js';

/** Protobuf bytes under construction. */
class Writer {
  private parts: number[] = [];
  varint(v: number): this {
    let n = BigInt.asUintN(64, BigInt(v)); // tests only: negative ints as 10-byte two's complement
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) b |= 0x80;
      this.parts.push(b);
    } while (n > 0n);
    return this;
  }
  key(field: number, wire: number): this { return this.varint(field * 8 + wire); }
  int(field: number, v: number): this { return this.key(field, 0).varint(v); }
  bytes(field: number, b: Uint8Array): this { this.key(field, 2).varint(b.length); for (const x of b) this.parts.push(x); return this; }
  string(field: number, s: string): this { return this.bytes(field, new TextEncoder().encode(s)); }
  message(field: number, m: Writer): this { return this.bytes(field, m.done()); }
  float(field: number, v: number): this {
    this.key(field, 5);
    for (const x of new Uint8Array(new Float32Array([v]).buffer)) this.parts.push(x);
    return this;
  }
  packedInts(field: number, vs: readonly number[]): this { const w = new Writer(); for (const v of vs) w.varint(v); return this.bytes(field, w.done()); }
  done(): Uint8Array { return Uint8Array.from(this.parts); }
}

/** A float tensor to store as an initializer or Constant. */
export interface TensorSpec {
  name: string;
  dims: number[];
  data: Float32Array;
  /** Store in float_data instead of raw_data. */
  asFloatData?: boolean;
  /** Store dims unpacked (one field each). */
  unpackedDims?: boolean;
  /** Store as FLOAT16 raw_data; every value must be exact in float16. */
  float16?: boolean;
}

/** The IEEE 754 binary16 bits of `v`, which must be exactly representable (NaN: the quiet NaN). */
export function halfBits(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === Infinity) return sign | 0x7c00;
  const e = a === 0 ? -15 : Math.max(-14, Math.floor(Math.log2(a)));
  const subnormal = e === -14 && a < 2 ** -14;
  const fraction = subnormal ? a * 2 ** 24 : (a / 2 ** e - 1) * 1024;
  if (a !== 0 && (e > 15 || !Number.isInteger(fraction))) throw new RangeError(`${v} is not exact in float16`);
  return a === 0 ? sign : sign | ((subnormal ? 0 : e + 15) << 10) | fraction;
}

/** A node. Attribute values: number (int), number[] (ints), string, or a tensor (Constant). */
export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, number | number[] | string | TensorSpec>;
}

function tensor(t: TensorSpec): Writer {
  const w = new Writer();
  if (t.unpackedDims) for (const d of t.dims) w.int(1, d);
  else w.packedInts(1, t.dims);
  w.int(2, t.float16 ? 10 : 1); // FLOAT16 or FLOAT
  if (t.asFloatData) w.bytes(4, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)); // packed float_data
  w.string(8, t.name);
  if (t.float16) w.bytes(9, new Uint8Array(Uint16Array.from(t.data, halfBits).buffer)); // little-endian hosts only
  else if (!t.asFloatData) w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return w;
}

function attribute(name: string, v: number | number[] | string | TensorSpec): Writer {
  const w = new Writer().string(1, name);
  if (typeof v === 'number') return w.int(3, v).int(20, 2);
  if (typeof v === 'string') return w.string(4, v).int(20, 3);
  if (Array.isArray(v)) return w.packedInts(8, v).int(20, 7);
  return w.message(5, tensor(v)).int(20, 4);
}

function valueInfo(name: string, dims: (number | string)[]): Writer {
  const shape = new Writer();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensorType = new Writer().int(1, 1).message(2, shape);
  return new Writer().string(1, name).message(2, new Writer().message(1, tensorType));
}

/** Serialises a model: one input `image` [N, ...inputShape], one output `output` [N, ...]. */
export function writeOnnx(spec: {
  nodes: NodeSpec[];
  initializers: TensorSpec[];
  inputShape: number[];
  input?: string;
  output?: string;
  opset?: number;
}): Uint8Array {
  const graph = new Writer();
  for (const n of spec.nodes) {
    const node = new Writer();
    for (const i of n.inputs) node.string(1, i);
    for (const o of n.outputs) node.string(2, o);
    node.string(3, `${n.op}_${n.outputs[0]}`).string(4, n.op);
    for (const [k, v] of Object.entries(n.attrs ?? {})) node.message(5, attribute(k, v));
    graph.message(1, node);
  }
  graph.string(2, 'test');
  for (const t of spec.initializers) graph.message(5, tensor(t));
  graph.message(11, valueInfo(spec.input ?? 'image', ['N', ...spec.inputShape]));
  graph.message(12, valueInfo(spec.output ?? 'output', ['N', 'C', 'H', 'W'].slice(0, spec.inputShape.length + 1)));
  return new Writer()
    .int(1, 7)
    .string(2, 'facevq-test')
    .message(7, graph)
    .message(8, new Writer().string(1, '').int(2, spec.opset ?? 13))
    .done();
}

/** He-initialised random weights, so activations neither vanish nor explode through many layers. */
export function heWeights(rng: Rng, dims: number[]): Float32Array {
  const fanIn = dims.slice(1).reduce((a, b) => a * b, 1);
  const scale = Math.sqrt(2 / fanIn) * Math.sqrt(3);
  return Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (2 * rng.next() - 1) * scale);
}

/**
 * The device encoder's architecture (training/model.py FusedEncoder: stem, seven depthwise-separable
 * blocks, projection) with seeded random weights: [N,3,64,64] -> [N,64,4,4].
 */
export function randomEncoder(seed: number): Uint8Array {
  const rng = makeRng(seed);
  const nodes: NodeSpec[] = [], initializers: TensorSpec[] = [];
  let n = 0;
  const conv = (x: string, cin: number, cout: number, k: number, stride: number, group: number): string => {
    const id = n++, w = `w${id}`, b = `b${id}`, y = `c${id}`;
    initializers.push({ name: w, dims: [cout, cin / group, k, k], data: heWeights(rng, [cout, cin / group, k, k]) });
    initializers.push({ name: b, dims: [cout], data: Float32Array.from({ length: cout }, () => 0.1 * (rng.next() - 0.5)) });
    const p = Math.floor(k / 2);
    nodes.push({ op: 'Conv', inputs: [x, w, b], outputs: [y], attrs: { group, kernel_shape: [k, k], pads: [p, p, p, p], strides: [stride, stride], dilations: [1, 1] } });
    return y;
  };
  const relu = (x: string): string => { const y = `r${n++}`; nodes.push({ op: 'Relu', inputs: [x], outputs: [y] }); return y; };
  let x = relu(conv('image', 3, 16, 3, 2, 1));
  for (const [cin, cout, s] of [[16, 32, 1], [32, 64, 2], [64, 64, 1], [64, 64, 1], [64, 128, 2], [128, 128, 1], [128, 128, 2]] as const) {
    let y = conv(relu(conv(x, cin, cin, 3, s, cin)), cin, cout, 1, 1, 1);
    if (s === 1 && cin === cout) { const sum = `a${n++}`; nodes.push({ op: 'Add', inputs: [y, x], outputs: [sum] }); y = sum; }
    x = relu(y);
  }
  const last = conv(x, 128, 64, 1, 1, 1);
  nodes.push({ op: 'Identity', inputs: [last], outputs: ['output'] });
  return writeOnnx({ nodes, initializers, inputShape: [3, 64, 64] });
}
