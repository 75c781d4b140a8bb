/**
 * One emitter per ONNX op: how a node of the device encoder becomes C (a call into
 * `examples/firmware/fvq_runtime.c`). The table covers the ops the plain-TypeScript runtime runs
 * (`src/sdk/runtime/ts/graph.ts`); a model that uses anything else fails with
 * `E_MODEL_UNSUPPORTED` naming the op. Adding an op is one function in {@link OP_EMITTERS}.
 *
 * Shapes and ONNX semantics (Conv attributes, broadcasting) are the TypeScript runtime's own
 * (`convShape`), so the C and TypeScript paths read a graph the same way.
 */
import { FaceEncoderError } from '../sdk/errors.js';
import { convShape, type Chw } from '../sdk/runtime/ts/graph.js';
import { ONNX_FLOAT, ONNX_FLOAT16, type OnnxNode, type OnnxTensor } from '../sdk/runtime/ts/onnx-proto.js';

/** A constant the C file stores in flash. */
export interface CConstant {
  /** C name of its `fvq_tensor`. */
  cName: string;
  tensor: OnnxTensor;
  /** How it is stored: as the model ships it. */
  storage: 'f32' | 'f16';
}

/** One call in the generated network: reads `inputs`, writes `output` (value ids). */
export interface CStep {
  op: string;
  node: string;
  inputs: number[];
  output: number;
  /** The step may write its output over `inputs[0]` when that value dies here. */
  inPlace: boolean;
  /** A following Relu can be folded into this step's `relu` flag. */
  fusesRelu: boolean;
  relu: boolean;
  /** Conv only: the value a following Add adds (folded in; then `inputs` is [residual, x]). */
  residual?: number;
  /** Multiply-accumulates per sample (Conv only). */
  macs: number;
  /** Accumulators (`fvq_acc`) the step needs. */
  accumulators: number;
  /** Static data the call points at (shape structs), emitted once above the network. */
  data: string[];
  /** The C statement; `buffer(id)` names a value's buffer. */
  call(buffer: (id: number) => string): string;
}

/** What an emitter sees and builds on. */
export interface EmitContext {
  /** Shape (C, H, W) of value `id`. */
  shape(id: number): Chw;
  /** The value id of a node input, or fails. */
  value(name: string, node: OnnxNode): number;
  /** The constant behind a node input, or undefined when the input is a value. */
  constant(name: string): CConstant | undefined;
  /** Names a graph constant (an initializer, a `Constant` or a cast of one). */
  defineConstant(name: string, constant: CConstant): void;
  /** Names a value the graph computes; returns its id. */
  defineValue(name: string, shape: Chw): number;
  /** Makes `name` another name of value `id` (no code). */
  alias(name: string, id: number): void;
  /** Appends a step. */
  push(step: CStep): void;
  /** A unique C name for per-step data. */
  unique(prefix: string): string;
}

export type OpEmitter = (node: OnnxNode, ctx: EmitContext) => void;

/** Fails with `E_MODEL_UNSUPPORTED`, naming the node. */
export function unsupported(node: OnnxNode, detail: string): never {
  throw new FaceEncoderError('E_MODEL_UNSUPPORTED',
    `firmware export: ${node.opType} ${node.name}: ${detail} (the generator emits ${Object.keys(OP_EMITTERS).join(', ')})`);
}

function constantInput(node: OnnxNode, ctx: EmitContext, index: number): CConstant {
  const c = ctx.constant(node.inputs[index] ?? '');
  if (!c) unsupported(node, `input ${index} must be a constant`);
  return c;
}

function out(node: OnnxNode): string {
  const name = node.outputs[0];
  if (name === undefined) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: ${node.opType} ${node.name} has no output`);
  return name;
}

/** A graph constant as C stores it: float16 stays float16, float32 stays float32. */
export function storedConstant(cName: string, tensor: OnnxTensor, node?: OnnxNode): CConstant {
  if (!tensor.data || (tensor.dataType !== ONNX_FLOAT && tensor.dataType !== ONNX_FLOAT16)) {
    if (node) unsupported(node, `constant ${tensor.name} is neither float32 nor float16`);
    throw new FaceEncoderError('E_MODEL_UNSUPPORTED', `firmware export: constant ${tensor.name} is neither float32 nor float16`);
  }
  return { cName, tensor, storage: tensor.dataType === ONNX_FLOAT16 ? 'f16' : 'f32' };
}

/** ONNX broadcasting of constant dims onto one sample (C, H, W): the constant's stride per axis. */
function broadcastStrides(node: OnnxNode, dims: number[], shape: Chw): [number, number, number] {
  if (dims.length > 4 || (dims.length === 4 && dims[0] !== 1)) unsupported(node, `constant [${dims}] does not broadcast to one sample [${shape}]`);
  const full = [1, 1, 1, ...dims].slice(-3) as Chw; // right-aligned to (C, H, W)
  if (full.some((d, i) => d !== 1 && d !== shape[i])) unsupported(node, `constant [${dims}] does not broadcast to [${shape}]`);
  return [full[0] === 1 ? 0 : full[1] * full[2], full[1] === 1 ? 0 : full[2], full[2] === 1 ? 0 : 1];
}

const size = (s: Chw) => s[0] * s[1] * s[2];

/** Add or Mul of a value and a broadcast constant. */
function constOp(node: OnnxNode, ctx: EmitContext, fn: 'fvq_add_const' | 'fvq_mul_const'): boolean {
  const [a = '', b = ''] = node.inputs;
  const k = ctx.constant(b) ?? ctx.constant(a);
  if (!k) return false;
  const x = ctx.value(k === ctx.constant(b) ? a : b, node);
  const shape = ctx.shape(x);
  const [sc, sh, sw] = broadcastStrides(node, k.tensor.dims, shape);
  const bc = ctx.unique('broadcast');
  const output = ctx.defineValue(out(node), shape);
  ctx.push({
    op: node.opType, node: node.name, inputs: [x], output, inPlace: true, fusesRelu: true, relu: false, macs: 0, accumulators: 0,
    data: [`static const fvq_broadcast ${bc} = {${shape.join(', ')}, ${sc}, ${sh}, ${sw}};`],
    call(buffer) { return `${fn}(${buffer(x)}, &${k.cName}, &${bc}, ${buffer(output)}, ${this.relu ? 1 : 0});`; },
  });
  return true;
}

/** The emitters, by ONNX op type. */
export const OP_EMITTERS: Record<string, OpEmitter> = {
  Constant(node, ctx) {
    const v = node.attributes.get('value');
    if (v?.kind !== 'tensor') unsupported(node, 'only a tensor value');
    ctx.defineConstant(out(node), storedConstant(ctx.unique('constant'), { ...v.value, name: out(node) }, node));
  },

  Identity(node, ctx) {
    const src = node.inputs[0] ?? '';
    const k = ctx.constant(src);
    if (k) ctx.defineConstant(out(node), k);
    else ctx.alias(out(node), ctx.value(src, node));
  },

  /** A cast of a float16 weight to float32 costs nothing in C: the weight stays float16 in flash. */
  Cast(node, ctx) {
    const to = node.attributes.get('to');
    if (to?.kind !== 'int' || to.value !== ONNX_FLOAT) unsupported(node, 'only a cast to float32');
    ctx.defineConstant(out(node), constantInput(node, ctx, 0));
  },

  Conv(node, ctx) {
    const x = ctx.value(node.inputs[0] ?? '', node);
    const weight = constantInput(node, ctx, 1);
    const bias = node.inputs[2] ? constantInput(node, ctx, 2) : undefined;
    const s = convShape(node, ctx.shape(x), weight.tensor.dims);
    if (bias && bias.tensor.dims.reduce((p, d) => p * d, 1) !== s.cout) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: Conv ${node.name}: bias length`);
    const shapeName = ctx.unique('conv');
    const output = ctx.defineValue(out(node), [s.cout, s.hout, s.wout]);
    const fields = [s.cin, s.hin, s.win, s.cout, s.hout, s.wout, s.kh, s.kw, s.strideH, s.strideW, s.padTop, s.padLeft, s.group];
    ctx.push({
      op: 'Conv', node: node.name, inputs: [x], output, inPlace: false, fusesRelu: true, relu: false,
      macs: s.cout * s.hout * s.wout * (s.cin / s.group) * s.kh * s.kw,
      accumulators: s.hout * s.wout,
      data: [`static const fvq_conv_shape ${shapeName} = {${fields.join(', ')}}; /* ${node.name} */`],
      call(buffer) {
        const residual = this.residual === undefined ? 'NULL' : buffer(this.residual);
        return `fvq_conv(${buffer(x)}, &${weight.cName}, ${bias ? `&${bias.cName}` : 'NULL'}, ${residual}, ${buffer(output)}, &${shapeName}, accumulators, ${this.relu ? 1 : 0});`;
      },
    });
  },

  Relu(node, ctx) {
    const x = ctx.value(node.inputs[0] ?? '', node);
    const output = ctx.defineValue(out(node), ctx.shape(x));
    const n = size(ctx.shape(x));
    ctx.push({
      op: 'Relu', node: node.name, inputs: [x], output, inPlace: true, fusesRelu: false, relu: false, macs: 0, accumulators: 0, data: [],
      call: (buffer) => `fvq_relu(${buffer(x)}, ${buffer(output)}, ${n});`,
    });
  },

  Add(node, ctx) {
    if (constOp(node, ctx, 'fvq_add_const')) return;
    const a = ctx.value(node.inputs[0] ?? '', node), b = ctx.value(node.inputs[1] ?? '', node);
    if (ctx.shape(a).join() !== ctx.shape(b).join()) unsupported(node, `broadcasting [${ctx.shape(a)}] + [${ctx.shape(b)}]`);
    const output = ctx.defineValue(out(node), ctx.shape(a));
    const n = size(ctx.shape(a));
    ctx.push({
      op: 'Add', node: node.name, inputs: [a, b], output, inPlace: true, fusesRelu: true, relu: false, macs: 0, accumulators: 0, data: [],
      call(buffer) { return `fvq_add(${buffer(a)}, ${buffer(b)}, ${buffer(output)}, ${n}, ${this.relu ? 1 : 0});`; },
    });
  },

  Mul(node, ctx) {
    if (!constOp(node, ctx, 'fvq_mul_const')) unsupported(node, 'only a value times a constant');
  },
};
