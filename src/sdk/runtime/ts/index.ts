/**
 * The plain-TypeScript runtime: runs the device encoder's ONNX graph (Conv, Relu, Add, Mul by a constant; float16
 * weights behind Casts) with no dependency at all, for places where onnxruntime does not run
 * (Workers, React Native without native modules, tests). Measured on the shipped encoder: see `npm run bench:encoder`.
 */
import { FaceEncoderError } from '../../errors.js';
import type { FrameEncoder } from '../../frame-encoder.js';
import { compile, runPlan, type GraphStats, type Plan } from './graph.js';
import { readOnnx } from './onnx-proto.js';

export type { GraphStats } from './graph.js';

/** A {@link FrameEncoder} over a compiled plan. Calls are serialised: one plan, one set of buffers. */
export class TsFrameEncoder implements FrameEncoder {
  readonly name = 'ts';
  readonly outputShape: readonly [number, number, number];
  private readonly plan: Plan;

  /** Compiles `model` (ONNX bytes) for per-sample inputs of shape `inputShape` (C, H, W). */
  constructor(model: Uint8Array, inputShape: readonly [number, number, number]) {
    this.plan = compile(readOnnx(model), [inputShape[0], inputShape[1], inputShape[2]]);
    this.outputShape = this.plan.outputShape;
  }

  /** Parameters and Conv multiply-accumulates counted from the graph. */
  get stats(): GraphStats {
    return this.plan.stats;
  }

  /** Runs synchronously; the promise is only for the {@link FrameEncoder} contract. */
  runSync(input: Float32Array, batch = 1): Float32Array {
    if (!Number.isInteger(batch) || batch < 1 || input.length !== batch * this.plan.inputSize) {
      throw new FaceEncoderError('E_INPUT', `expected ${batch} x ${this.plan.inputSize} floats, got ${input.length}`);
    }
    return runPlan(this.plan, input, batch);
  }

  async run(input: Float32Array, batch = 1): Promise<Float32Array> {
    return this.runSync(input, batch);
  }
}

/** Parameters and Conv MACs of an ONNX encoder for per-sample input `inputShape`, without running it. */
export function onnxStats(model: Uint8Array, inputShape: readonly [number, number, number]): GraphStats {
  return compile(readOnnx(model), [inputShape[0], inputShape[1], inputShape[2]]).stats;
}
