/**
 * Compiles a decoded ONNX graph into a fixed plan for one input shape, and runs it one sample at a
 * time. Shapes are inferred once, every intermediate buffer and all scratch space are allocated
 * once, and a `Relu` that is the only consumer of a `Conv`, `Add` or `Mul` output is fused into it.
 *
 * Supported ops (the device encoder's export, training/model.py): `Conv` (any group, strides, pads
 * or auto_pad, dilation 1, optional bias), `Relu`, `Add` (of two values of one shape, or of a value
 * and a constant), `Mul` (of a value and a constant), `Cast` to float32 of a constant (a float16
 * export stores each weight so), plus `Identity` and `Constant`. A constant operand broadcasts to
 * the value's shape by ONNX's rules (the input mask is one 64x64 plane; its offsets are scalars);
 * it is expanded once, when the plan is compiled. Anything else is `E_MODEL_UNSUPPORTED`.
 */
import { FaceEncoderError } from '../../errors.js';
import { add, conv2d, convScratchSize, mul, packWeights, relu, type ConvScratch, type ConvShape } from './kernels.js';
import { ONNX_FLOAT, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-proto.js';

/** Per-sample shape of a value: channels, height, width. */
export type Chw = [number, number, number];

/** One step of a plan. */
type Step =
  | { op: 'conv'; input: number; output: number; weight: Float32Array; bias: Float32Array | undefined; shape: ConvShape; relu: boolean }
  | { op: 'relu'; input: number; output: number }
  | { op: 'add'; a: number; b: number; output: number; relu: boolean }
  | { op: 'addConst' | 'mulConst'; input: number; constant: Float32Array; output: number; relu: boolean };

/** Counts taken from the graph: parameters and multiply-accumulates of Conv, per sample. */
export interface GraphStats {
  /** Float parameters held by the initializers and constants the graph uses. */
  params: number;
  /** Multiply-accumulates of all Conv nodes for one sample. */
  convMacs: number;
}

/** A compiled graph: run it with {@link runPlan}. */
export interface Plan {
  inputName: string;
  outputName: string;
  /** Per-sample input shape (C, H, W) and element count. */
  inputShape: Chw;
  inputSize: number;
  /** Per-sample output shape (C, H, W) and element count. */
  outputShape: Chw;
  outputSize: number;
  stats: GraphStats;
  steps: Step[];
  /** One buffer per value, indexed by the steps; buffers[0] is the input. */
  buffers: Float32Array[];
  output: number;
  scratch: ConvScratch;
}

function unsupported(detail: string): never {
  throw new FaceEncoderError('E_MODEL_UNSUPPORTED', `ONNX: ${detail} (the TypeScript runtime runs Conv, Relu, Add, Mul by a constant and weight Casts)`);
}

function ints(node: OnnxNode, name: string, fallback: number[]): number[] {
  const a: OnnxAttribute | undefined = node.attributes.get(name);
  if (a === undefined) return fallback;
  if (a.kind !== 'ints') unsupported(`${node.opType} ${node.name}: attribute ${name} is not a list of ints`);
  return a.value;
}

function int(node: OnnxNode, name: string, fallback: number): number {
  const a = node.attributes.get(name);
  if (a === undefined) return fallback;
  if (a.kind !== 'int') unsupported(`${node.opType} ${node.name}: attribute ${name} is not an int`);
  return a.value;
}

function floatData(t: OnnxTensor, what: string): Float32Array {
  if (t.dataType !== ONNX_FLOAT || !t.data) unsupported(`${what}: tensor ${t.name} is not float32`);
  return t.data;
}

/**
 * The constant `t` broadcast (ONNX multidirectional rules, without growing the value) to one
 * sample of shape `shape`: C*H*W floats.
 */
function broadcastTo(t: OnnxTensor, shape: Chw, what: string): Float32Array {
  const data = floatData(t, what);
  const dims = t.dims;
  if (dims.length > 4 || (dims.length === 4 && dims[0] !== 1)) unsupported(`${what}: constant [${dims}] does not broadcast to one sample [${shape}]`);
  const full = [1, 1, 1, ...dims].slice(-3) as Chw; // right-aligned to (C, H, W)
  if (full.some((d, i) => d !== 1 && d !== shape[i])) unsupported(`${what}: constant [${dims}] does not broadcast to [${shape}]`);
  const [c, h, w] = shape;
  const out = new Float32Array(c * h * w);
  for (let ci = 0, i = 0; ci < c; ci++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++, i++) {
        out[i] = data[((full[0] === 1 ? 0 : ci) * full[1] + (full[1] === 1 ? 0 : y)) * full[2] + (full[2] === 1 ? 0 : x)]!;
      }
    }
  }
  return out;
}

/** Shape of a Conv node with input shape `x` and weight dims `w` (ONNX Conv-11 semantics). */
export function convShape(node: OnnxNode, x: Chw, w: number[]): ConvShape {
  if (w.length !== 4) unsupported(`Conv ${node.name}: only 2-D convolution`);
  const [cout, cinG, kh, kw] = w as [number, number, number, number];
  const group = int(node, 'group', 1);
  const [cin, hin, win] = x;
  if (group < 1 || cin % group !== 0 || cout % group !== 0 || cinG !== cin / group) {
    throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: Conv ${node.name}: weight [${w}] does not fit ${cin} input channels in ${group} groups`);
  }
  const kernel = ints(node, 'kernel_shape', [kh, kw]);
  if (kernel[0] !== kh || kernel[1] !== kw) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: Conv ${node.name}: kernel_shape disagrees with the weight`);
  const dil = ints(node, 'dilations', [1, 1]);
  if (dil.some((d) => d !== 1)) unsupported(`Conv ${node.name}: dilation ${dil}`);
  const [sh, sw] = ints(node, 'strides', [1, 1]) as [number, number];
  if (!(sh >= 1 && sw >= 1)) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: Conv ${node.name}: bad strides`);
  const autoPad = node.attributes.get('auto_pad');
  let pads = ints(node, 'pads', [0, 0, 0, 0]);
  if (autoPad?.kind === 'string' && autoPad.value !== 'NOTSET') {
    if (autoPad.value === 'VALID') pads = [0, 0, 0, 0];
    else if (autoPad.value === 'SAME_UPPER' || autoPad.value === 'SAME_LOWER') {
      const total = (n: number, k: number, st: number) => Math.max(0, (Math.ceil(n / st) - 1) * st + k - n);
      const th = total(hin, kh, sh), tw = total(win, kw, sw);
      const lowH = autoPad.value === 'SAME_UPPER' ? Math.floor(th / 2) : Math.ceil(th / 2);
      const lowW = autoPad.value === 'SAME_UPPER' ? Math.floor(tw / 2) : Math.ceil(tw / 2);
      pads = [lowH, lowW, th - lowH, tw - lowW];
    } else unsupported(`Conv ${node.name}: auto_pad ${autoPad.value}`);
  }
  if (pads.length !== 4 || pads.some((p) => p < 0)) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: Conv ${node.name}: bad pads`);
  const [pt, pl, pb, pr] = pads as [number, number, number, number];
  const hout = Math.floor((hin + pt + pb - kh) / sh) + 1, wout = Math.floor((win + pl + pr - kw) / sw) + 1;
  if (hout < 1 || wout < 1) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: Conv ${node.name}: empty output`);
  return { cin, hin, win, cout, hout, wout, kh, kw, strideH: sh, strideW: sw, padTop: pt, padLeft: pl, padBottom: pb, padRight: pr, group };
}

/**
 * Compiles `model` for inputs of per-sample shape `input` (C, H, W); dimensions the graph fixes
 * must agree with it. Throws {@link FaceEncoderError} for unsupported or malformed graphs.
 */
export function compile(model: OnnxModel, input: Chw): Plan {
  const g = model.graph;
  if (g.inputs.length !== 1) unsupported(`expected one graph input, found ${g.inputs.length}`);
  if (g.outputs.length < 1) throw new FaceEncoderError('E_MODEL_FORMAT', 'ONNX: graph has no output');
  const inputInfo = g.inputs[0]!;
  const fixed = inputInfo.dims.slice(1);
  if (inputInfo.dims.length !== 4 || fixed.some((d, i) => d > 0 && d !== input[i])) {
    throw new FaceEncoderError('E_PROFILE_MISMATCH', `encoder input [${inputInfo.dims}] does not take [N,${input}]`);
  }
  const constants = new Map<string, OnnxTensor>(g.initializers);
  const ids = new Map<string, number>([[inputInfo.name, 0]]);
  const shapes: Chw[] = [input];
  const uses = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) uses.set(i, (uses.get(i) ?? 0) + 1);
  const outputName = g.outputs[0]!.name;
  const usedParams = new Set<string>();
  const steps: Step[] = [];
  let convMacs = 0;

  const valueOf = (name: string, node: OnnxNode): number => {
    const id = ids.get(name);
    if (id === undefined) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: ${node.opType} ${node.name} reads ${name} before it is defined`);
    return id;
  };
  const define = (name: string, shape: Chw): number => {
    if (ids.has(name) || constants.has(name)) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: value ${name} defined twice`);
    ids.set(name, shapes.length);
    shapes.push(shape);
    return shapes.length - 1;
  };
  const constant = (name: string, node: OnnxNode): OnnxTensor => {
    const t = constants.get(name);
    if (!t) unsupported(`${node.opType} ${node.name}: input ${name} must be an initializer`);
    usedParams.add(name);
    return t;
  };

  for (const node of g.nodes) {
    if (node.domain !== '' && node.domain !== 'ai.onnx') unsupported(`op domain ${node.domain}`);
    const out = node.outputs[0];
    if (out === undefined) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: ${node.opType} ${node.name} has no output`);
    switch (node.opType) {
      case 'Constant': {
        const v = node.attributes.get('value');
        if (v?.kind !== 'tensor') unsupported(`Constant ${node.name}: only a tensor value`);
        constants.set(out, { ...v.value, name: out });
        break;
      }
      case 'Identity': {
        const src = node.inputs[0] ?? '';
        if (constants.has(src)) constants.set(out, { ...constants.get(src)!, name: out });
        else { if (ids.has(out)) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: value ${out} defined twice`); ids.set(out, valueOf(src, node)); }
        break;
      }
      case 'Cast': {
        // Only weight casts: folded here, once, so the plan runs on float32 constants.
        const src = constants.get(node.inputs[0] ?? '');
        if (!src?.data) unsupported(`Cast ${node.name}: only a cast of a float32 or float16 initializer`);
        if (int(node, 'to', 0) !== ONNX_FLOAT) unsupported(`Cast ${node.name}: only to float32`);
        if (ids.has(out) || constants.has(out)) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: value ${out} defined twice`);
        constants.set(out, { name: out, dims: src.dims, dataType: ONNX_FLOAT, data: src.data });
        break;
      }
      case 'Conv': {
        const x = valueOf(node.inputs[0] ?? '', node);
        const wt = constant(node.inputs[1] ?? '', node);
        const weight = floatData(wt, `Conv ${node.name}`);
        const shape = convShape(node, shapes[x]!, wt.dims);
        let bias: Float32Array | undefined;
        if (node.inputs[2]) {
          bias = floatData(constant(node.inputs[2], node), `Conv ${node.name} bias`);
          if (bias.length !== shape.cout) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: Conv ${node.name}: bias length ${bias.length}`);
        }
        convMacs += shape.cout * shape.hout * shape.wout * (shape.cin / shape.group) * shape.kh * shape.kw;
        const output = define(out, [shape.cout, shape.hout, shape.wout]);
        steps.push({ op: 'conv', input: x, output, weight: packWeights(shape, weight), bias, shape, relu: false });
        break;
      }
      case 'Relu': {
        const x = valueOf(node.inputs[0] ?? '', node);
        steps.push({ op: 'relu', input: x, output: define(out, shapes[x]!) });
        break;
      }
      case 'Add':
      case 'Mul': {
        const [first = '', second = ''] = node.inputs;
        const constName = constants.has(second) ? second : constants.has(first) ? first : undefined;
        if (constName === undefined) {
          if (node.opType === 'Mul') unsupported(`Mul ${node.name}: only a value times a constant`);
          const a = valueOf(first, node), b = valueOf(second, node);
          if (shapes[a]!.join() !== shapes[b]!.join()) unsupported(`Add ${node.name}: broadcasting [${shapes[a]}] + [${shapes[b]}]`);
          steps.push({ op: 'add', a, b, output: define(out, shapes[a]!), relu: false });
          break;
        }
        const x = valueOf(constName === second ? first : second, node);
        const operand = broadcastTo(constant(constName, node), shapes[x]!, `${node.opType} ${node.name}`);
        steps.push({ op: node.opType === 'Add' ? 'addConst' : 'mulConst', input: x, constant: operand, output: define(out, shapes[x]!), relu: false });
        break;
      }
      default:
        unsupported(`op ${node.opType} (${node.name})`);
    }
  }
  const output = ids.get(outputName);
  if (output === undefined) throw new FaceEncoderError('E_MODEL_FORMAT', `ONNX: output ${outputName} is never computed`);

  const { steps: fused, resolve } = fuseRelu(steps, ids, uses, output);
  const buffers = shapes.map((s) => new Float32Array(s[0] * s[1] * s[2]));
  let padded = 0, acc = 0;
  for (const s of fused) if (s.op === 'conv') { const [p, a] = convScratchSize(s.shape); padded = Math.max(padded, p); acc = Math.max(acc, a); }
  let params = 0;
  for (const name of usedParams) params += constants.get(name)!.dims.reduce((p, d) => p * d, 1);
  const outShape = shapes[output]!;
  return {
    inputName: inputInfo.name, outputName,
    inputShape: input, inputSize: input[0] * input[1] * input[2],
    outputShape: outShape, outputSize: outShape[0] * outShape[1] * outShape[2],
    stats: { params, convMacs },
    steps: fused, buffers, output: resolve(output),
    scratch: { padded: new Float32Array(padded), acc: new Float64Array(acc) },
  };
}

/**
 * Folds each Relu into the Conv or Add before it when that step's output feeds only the Relu and is
 * not the graph output; the Relu's value then lives in the producer's buffer.
 */
function fuseRelu(
  steps: Step[], ids: Map<string, number>, uses: Map<string, number>, graphOutput: number,
): { steps: Step[]; resolve: (id: number) => number } {
  const usesById = new Map<number, number>();
  for (const [name, n] of uses) { const id = ids.get(name); if (id !== undefined) usesById.set(id, (usesById.get(id) ?? 0) + n); }
  const out: Step[] = [];
  const alias = new Map<number, number>();
  const resolve = (id: number) => alias.get(id) ?? id;
  for (const step of steps) {
    if (step.op === 'relu') {
      const input = resolve(step.input);
      const prev = out[out.length - 1];
      const fusable = usesById.get(step.input) === 1 && step.input !== graphOutput;
      if (prev && prev.op !== 'relu' && prev.output === input && fusable && !prev.relu) {
        prev.relu = true;
        alias.set(step.output, input);
        continue;
      }
      out.push({ ...step, input });
    } else if (step.op === 'add') out.push({ ...step, a: resolve(step.a), b: resolve(step.b) });
    else out.push({ ...step, input: resolve(step.input) });
  }
  return { steps: out, resolve };
}

/**
 * Runs `plan` on `batch` samples: `input` holds batch * inputSize floats (NCHW), the result
 * batch * outputSize floats. Not re-entrant: one plan serves one call at a time.
 */
export function runPlan(plan: Plan, input: Float32Array, batch: number): Float32Array {
  const result = new Float32Array(batch * plan.outputSize);
  const { buffers, scratch } = plan;
  for (let n = 0; n < batch; n++) {
    buffers[0]!.set(input.subarray(n * plan.inputSize, (n + 1) * plan.inputSize));
    for (const s of plan.steps) {
      if (s.op === 'conv') conv2d(buffers[s.input]!, 0, s.weight, s.bias, buffers[s.output]!, 0, s.shape, scratch, s.relu);
      else if (s.op === 'relu') relu(buffers[s.input]!, 0, buffers[s.output]!, 0, buffers[s.output]!.length);
      else if (s.op === 'add') add(buffers[s.a]!, 0, buffers[s.b]!, 0, buffers[s.output]!, 0, buffers[s.output]!.length, s.relu);
      else if (s.op === 'addConst') add(buffers[s.input]!, 0, s.constant, 0, buffers[s.output]!, 0, s.constant.length, s.relu);
      else mul(buffers[s.input]!, 0, s.constant, 0, buffers[s.output]!, 0, s.constant.length, s.relu);
    }
    result.set(buffers[plan.output]!.subarray(0, plan.outputSize), n * plan.outputSize);
  }
  return result;
}
